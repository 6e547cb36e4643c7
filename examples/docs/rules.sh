# docs/rules.md opens with this file (below this line); test/examples/docs.test.ts runs it.
raspimon keys add --key 7 --unit mC --description "freezer air"
raspimon devices add --id 3 --name freezer --driver file \
  --config '{"path":"/sys/bus/w1/devices/28-0316a2791eff/temperature","keyId":7}'
raspimon rules add --id 1 --name "freezer warm" --key 7 --device 3 --above=-10000 \
  --for 300 --hysteresis 1000 --level ALERT --repeat 3600 --message "check the freezer door"
raspimon rules add --id 2 --name "freezer probe silent" --key 7 --device 3 --no-data 600 --level ERROR
raspimon rules list
