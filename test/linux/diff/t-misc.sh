# numbers, dates, environment, misc
seq 5
seq 2 3 11
seq -s, 1 4
expr 7 + 5; expr 7 \* 6; expr length hello
expr substr hello 2 3
factor 84 97
date -u -d @0 +%Y-%m-%d
date -u -d @86400 '+%a %b %e %H:%M:%S'
echo $((16#ff)) $((8#17)) $((2#101))
A=1 B=2 sh -c 'echo "$A $B"'
v=exported; export v; sh -c 'echo $v'
truncate -s 10 f; wc -c < f
truncate -s 3 f; wc -c < f
sleep 0
echo abc | dd bs=1 count=2 2>/dev/null; echo
basename $(pwd) | wc -c > /dev/null && echo pwd ok
printf '%s\n' c b a | sort | tr '\n' ' '; echo
cal 1 2000 | head -3
strings /bin/busybox | grep -c BusyBox > /dev/null && echo strings ok
