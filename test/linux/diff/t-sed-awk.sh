# sed and awk
printf 'one 1\ntwo 2\nthree 3\nfour 4\n' > t
sed 's/o/0/g' t
sed -n '2,3p' t
sed '/two/d' t
sed -e '1i\
first' -e '$a\
last' t
sed 's/\([a-z]*\) \([0-9]\)/\2:\1/' t
sed -n '$=' t
awk '{ s += $2 } END { print "sum", s, "n", NR }' t
awk -F' ' '$2 % 2 == 0 { print toupper($1) }' t
awk 'BEGIN { printf "%05.1f|%-5s|%c\n", 3.14159, "ab", 65 }'
awk '{ a[$2 % 2] = a[$2 % 2] $1 " " } END { print a[0]; print a[1] }' t
awk 'length($1) > 3' t
echo "a,b;c" | awk -F'[,;]' '{ print $3 $2 $1, NF }'
awk 'BEGIN { x = split("2023-01-15", d, "-"); print x, d[1] + d[2] + d[3] }'
awk 'BEGIN { print substr("hello world", 7), index("hello", "ll"), 2^10 }'
seq 1 5 | awk 'NR % 2'
