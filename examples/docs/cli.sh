# docs/cli.md opens with this file (below this line); test/examples/docs.test.ts runs it.
raspimon keys add --key 1 --unit mC --description "boiler water temperature"
raspimon devices add --id 3 --name boiler --driver file --interval 10 \
  --config '{"path":"/sys/bus/w1/devices/28-0000/temperature","keyId":1}'
raspimon devices list   # the monitor would accept it: ok
raspimon check          # exit 1 if problems or orphan readings are found
