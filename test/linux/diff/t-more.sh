# more applets: tee, unexpand, dos2unix, unix2dos, xxd, sha512sum,
# crc32, uuencode, uudecode, patch, cpio, lzop, getopt, run-parts, ed
seq 1 3 | tee copy | wc -l
cat copy
printf '        x\n' | unexpand -a | od -c | head -1
printf 'a\r\nb\r\n' | dos2unix | od -c | head -1
printf 'a\nb\n' | unix2dos | od -c | head -1
echo hello | xxd
echo hello | xxd -p
echo hello | sha512sum
echo hello | crc32
echo hello > h; uuencode h h | uudecode -o - 
printf 'one\ntwo\nthree\n' > old
printf 'one\n2\nthree\n' > new
diff -u old new > p | true
diff -u old new | sed 1,2d
patch old < p > /dev/null; cat old
mkdir c; echo in > c/f; find c | cpio -o -H newc 2>/dev/null | cpio -t 2>/dev/null | sort
lzop -c h > h.lzo && lzop -dc h.lzo
getopt -o ab: -- -a -b x y
mkdir parts; printf '#!/bin/sh\necho part one\n' > parts/01; chmod +x parts/01
run-parts parts
printf '1,$p\nq\n' | ed -s old
