echo start
( exit 3 )
echo "subshell status $?"
cat /sys/cpus/online
ls /sys/linux
false || echo "false failed as it should"
echo end
