# checksums and encodings over files
printf 'The quick brown fox jumps over the lazy dog' > fox
seq 1 1000 > numbers
md5sum fox numbers
sha1sum fox
sha256sum numbers
md5sum fox > sums; md5sum -c sums
cksum fox
sum numbers
od -c fox | head -2
hexdump -C fox | head -2
base64 fox
base64 fox | base64 -d; echo
echo hello | od -An -tx1
wc -c numbers
dd if=numbers of=part bs=10 skip=2 count=3 2>/dev/null; cat part; echo
head -c 20 numbers | tail -c 5
echo
