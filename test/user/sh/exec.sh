#!/bin/sh
echo "exec: $0 $#: $*"
cat /sys/cpus/online
/bin/busybox echo "through /bin/busybox"
x=$(echo captured)
echo "got $x"
echo piped | cat
exit 5
