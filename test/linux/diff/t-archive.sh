# gzip, tar, cpio over a tree
mkdir -p tree/sub
seq 1 200 > tree/one
echo two > tree/sub/two
gzip -c tree/one > one.gz
gunzip -c one.gz | md5sum
zcat one.gz | tail -1
tar cf t.tar tree
tar tf t.tar | sort
mkdir out && cd out && tar xf ../t.tar && cd ..
cmp tree/one out/tree/one && echo same
cat out/tree/sub/two
tar czf t.tgz tree && tar tzf t.tgz | sort | head -2
bzip2 -c tree/one > one.bz2 && bunzip2 -c one.bz2 | wc -l
