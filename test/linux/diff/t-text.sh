# text tools: sort, uniq, cut, paste, tr, rev, tac, head, tail, wc, nl,
# fold, expand, grep, comm, cmp, diff
printf 'pear\napple\nfig\napple\nbanana\nfig\n' > fruit
sort fruit
sort -u fruit
sort -r fruit | head -2
sort fruit | uniq -c
printf '3 c\n10 a\n2 b\n' | sort -n
printf '3 c\n10 a\n2 b\n' | sort -k2
cut -c1-3 fruit | head -3
printf 'a:b:c\n1:2:3\n' | cut -d: -f2,3
paste -d, fruit fruit | head -2
echo Hello World | tr 'a-z' 'A-Z'
echo hello | tr -d l
echo 'a  b   c' | tr -s ' '
echo stressed | rev
tac fruit | head -2
tail -n 2 fruit
tail -c 8 fruit
wc -l fruit; wc -w fruit; wc -c < fruit
nl fruit | head -2
echo abcdefghij | fold -w 4
printf 'a\tb\n' | expand -t 4
grep -n apple fruit
grep -c fig fruit
grep -v -e apple -e fig fruit
grep -i APPLE fruit | head -1
grep -E '^(b|p)' fruit
grep -q banana fruit && echo found
grep nothing fruit; echo "grep: $?"
printf 'a\nb\nc\n' > x; printf 'b\nc\nd\n' > y
cmp x y; echo "cmp: $?"
diff x y; echo "diff: $?"
