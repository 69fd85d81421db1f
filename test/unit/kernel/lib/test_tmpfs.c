#define _GNU_SOURCE	/* memmem */
/*
 * test_tmpfs.c - kernel/lib/tmpfs.c: the tree a user makes and sees
 * (files, directories, links, rename, hard links, permissions), file data
 * (holes, growth, truncation, the archive's bytes kept until the first
 * write), the limits (and what uid 0 keeps), and an archive unpacked with
 * its directories, links and modes, and a malformed one refused.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <aegis/errno.h>
#include <aegis/tmpfs.h>
#include "unit.h"

static int64_t clock_now;
static int64_t now(void) { return clock_now; }
static void *zalloc(size_t n) { return calloc(1, n); }

static const struct tmpfs_cred root = { 0, 0 }, user = { 1000, 1000 },
			       other = { 1001, 1001 };

static struct tmpfs fs;

static void setup(uint32_t inodes, uint64_t pages)
{
	clock_now = 1000;
	ck_assert_int_eq(tmpfs_init(&fs, inodes, pages, zalloc, free, now),
			 0);
}

static uint32_t mk(const char *path, uint32_t kind, uint32_t mode,
		   struct tmpfs_cred c)
{
	uint32_t ino = 0;

	ck_assert_int_eq(tmpfs_create(&fs, path, kind, mode, NULL, true, c,
				      &ino), 0);
	return ino;
}

static uint32_t look(const char *path)
{
	uint32_t ino = 0;

	ck_assert_int_eq(tmpfs_lookup(&fs, path, true, root, &ino), 0);
	return ino;
}

static void put(uint32_t ino, uint64_t off, const char *s)
{
	ck_assert_int_eq(tmpfs_write(&fs, ino, off, s, (uint32_t)strlen(s),
				     0), (int64_t)strlen(s));
}

static const char *get(uint32_t ino, uint64_t off, uint32_t len)
{
	static char buf[256];
	int64_t n = tmpfs_read(&fs, ino, off, buf, len);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

START_TEST(test_tmpfs_tree)
{
	struct node_stat st;
	struct node_dirent d;
	uint32_t etc, f, ino, idx;
	char names[8][NODE_NAME_MAX];
	int n = 0;

	setup(64, 64);
	etc = mk("etc", NODE_KIND_DIR, 0755, root);
	f = mk("etc/motd", NODE_KIND_FILE, 0644, root);
	put(f, 0, "hello");
	ck_assert_uint_eq(look("etc/motd"), f);
	ck_assert_uint_eq(look(""), TMPFS_ROOT);
	ck_assert_uint_eq(look("etc/../etc/./motd"), f);
	/* a name twice, a file as a directory, nothing there */
	ck_assert_int_eq(tmpfs_create(&fs, "etc", NODE_KIND_DIR, 0755, NULL,
				      true, root, &ino), -AE_EEXIST);
	ck_assert_int_eq(tmpfs_create(&fs, "etc/motd", NODE_KIND_FILE, 0644,
				      NULL, true, root, &ino), -AE_EEXIST);
	ck_assert_int_eq(tmpfs_create(&fs, "etc/motd", NODE_KIND_FILE, 0644,
				      NULL, false, root, &ino), 0);
	ck_assert_uint_eq(ino, f);	/* O_CREAT without O_EXCL: it */
	ck_assert_int_eq(tmpfs_lookup(&fs, "etc/motd/x", true, root, &ino),
			 -AE_ENOTDIR);
	ck_assert_int_eq(tmpfs_lookup(&fs, "etc/nope", true, root, &ino),
			 -AE_ENOENT);
	ck_assert_int_eq(tmpfs_create(&fs, "nope/x", NODE_KIND_FILE, 0644,
				      NULL, true, root, &ino), -AE_ENOENT);
	ck_assert_int_eq(tmpfs_create(&fs,
				      "a-name-of-thirty-two-characters!",
				      NODE_KIND_FILE, 0644, NULL, true, root,
				      &ino), -AE_ENAMETOOLONG);
	/* stat */
	ck_assert_int_eq(tmpfs_stat(&fs, f, &st), 0);
	ck_assert_uint_eq(st.kind, NODE_KIND_FILE);
	ck_assert_uint_eq(st.mode, 0644);
	ck_assert_uint_eq(st.size, 5);
	ck_assert_uint_eq(st.nlink, 1);
	ck_assert_uint_eq(st.ino, f);
	ck_assert_int_eq(tmpfs_stat(&fs, etc, &st), 0);
	ck_assert_uint_eq(st.kind, NODE_KIND_DIR);
	ck_assert_uint_eq(st.nlink, 2);
	ck_assert_int_eq(tmpfs_stat(&fs, TMPFS_ROOT, &st), 0);
	ck_assert_uint_eq(st.nlink, 3);
	/* readdir: ".", "..", the names, past a removed one */
	mk("etc/a", NODE_KIND_FILE, 0644, root);
	mk("etc/b", NODE_KIND_FILE, 0644, root);
	ck_assert_int_eq(tmpfs_remove(&fs, "etc/a", false, root), 0);
	for (idx = 0; tmpfs_readdir(&fs, etc, idx, &d) == 0; idx = d.next)
		memcpy(names[n++], d.name, sizeof(d.name));
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(names[0], ".");
	ck_assert_str_eq(names[1], "..");
	ck_assert_str_eq(names[2], "motd");
	ck_assert_str_eq(names[3], "b");
	ck_assert_int_eq(tmpfs_readdir(&fs, f, 0, &d), -AE_ENOTDIR);
	/* rmdir and unlink, each of its own kind */
	ck_assert_int_eq(tmpfs_remove(&fs, "etc", true, root), -AE_ENOTEMPTY);
	ck_assert_int_eq(tmpfs_remove(&fs, "etc", false, root), -AE_EISDIR);
	ck_assert_int_eq(tmpfs_remove(&fs, "etc/b", true, root), -AE_ENOTDIR);
	ck_assert_int_eq(tmpfs_remove(&fs, "", true, root), -AE_EBUSY);
	ck_assert_int_eq(tmpfs_remove(&fs, "etc/b", false, root), 0);
	ck_assert_int_eq(tmpfs_remove(&fs, "etc/motd", false, root), 0);
	ck_assert_int_eq(tmpfs_remove(&fs, "etc", true, root), 0);
	ck_assert_uint_eq(fs.used_inodes, 1);
	ck_assert_uint_eq(fs.used_pages, 0);
	tmpfs_destroy(&fs);
}
END_TEST

START_TEST(test_tmpfs_links_and_rename)
{
	char buf[64];
	uint32_t f, ino, d;
	struct node_stat st;

	setup(64, 64);
	mk("bin", NODE_KIND_DIR, 0755, root);
	f = mk("bin/busybox", NODE_KIND_FILE, 0755, root);
	ck_assert_int_eq(tmpfs_create(&fs, "bin/sh", NODE_KIND_LINK, 0, "busybox",
				      true, root, &ino), 0);
	ck_assert_int_eq(tmpfs_create(&fs, "sh", NODE_KIND_LINK, 0,
				      "/bin/sh", true, root, &ino), 0);
	ck_assert_int_eq(tmpfs_create(&fs, "up", NODE_KIND_LINK, 0,
				      "bin/../bin/sh", true, root, &ino), 0);
	ck_assert_uint_eq(look("bin/sh"), f);
	ck_assert_uint_eq(look("sh"), f);
	ck_assert_uint_eq(look("up"), f);
	ck_assert_int_eq(tmpfs_lookup(&fs, "sh", false, root, &ino), 0);
	ck_assert_uint_ne(ino, f);
	ck_assert_int_eq(tmpfs_readlink(&fs, "sh", root, buf, sizeof(buf)),
			 7);
	ck_assert_int_eq(memcmp(buf, "/bin/sh", 7), 0);
	ck_assert_int_eq(tmpfs_readlink(&fs, "sh", root, buf, 3), 3);
	ck_assert_int_eq(tmpfs_readlink(&fs, "bin/busybox", root, buf, 64),
			 -AE_EINVAL);
	ck_assert_int_eq(tmpfs_create(&fs, "e", NODE_KIND_LINK, 0, "",
				      true, root, &ino), -AE_ENOENT);
	/* a loop, and a dangling link */
	ck_assert_int_eq(tmpfs_create(&fs, "l1", NODE_KIND_LINK, 0, "l2",
				      true, root, &ino), 0);
	ck_assert_int_eq(tmpfs_create(&fs, "l2", NODE_KIND_LINK, 0, "l1",
				      true, root, &ino), 0);
	ck_assert_int_eq(tmpfs_lookup(&fs, "l1", true, root, &ino),
			 -AE_ELOOP);
	ck_assert_int_eq(tmpfs_create(&fs, "dangle", NODE_KIND_LINK, 0,
				      "nothing", true, root, &ino), 0);
	ck_assert_int_eq(tmpfs_lookup(&fs, "dangle", true, root, &ino),
			 -AE_ENOENT);
	/* hard links */
	ck_assert_int_eq(tmpfs_link(&fs, "bin/busybox", "bin/ls", root), 0);
	ck_assert_int_eq(tmpfs_link(&fs, "bin", "bin2", root), -AE_EPERM);
	ck_assert_int_eq(tmpfs_link(&fs, "bin/busybox", "bin/ls", root),
			 -AE_EEXIST);
	ck_assert_int_eq(tmpfs_stat(&fs, f, &st), 0);
	ck_assert_uint_eq(st.nlink, 2);
	ck_assert_int_eq(tmpfs_remove(&fs, "bin/busybox", false, root), 0);
	ck_assert_uint_eq(look("bin/ls"), f);	/* still there */
	/* rename: over a file, a directory into itself, over a non-empty */
	mk("x", NODE_KIND_FILE, 0644, root);
	ck_assert_int_eq(tmpfs_rename(&fs, "x", "bin/ls", root), 0);
	ck_assert_int_eq(tmpfs_lookup(&fs, "x", true, root, &ino), -AE_ENOENT);
	ck_assert_uint_ne(look("bin/ls"), f);	/* f's last name went */
	d = mk("d", NODE_KIND_DIR, 0755, root);
	mk("d/e", NODE_KIND_DIR, 0755, root);
	ck_assert_int_eq(tmpfs_rename(&fs, "d", "d/e/f", root), -AE_EINVAL);
	ck_assert_int_eq(tmpfs_rename(&fs, "d", "bin", root), -AE_ENOTEMPTY);
	ck_assert_int_eq(tmpfs_rename(&fs, "d", "bin/ls", root), -AE_ENOTDIR);
	ck_assert_int_eq(tmpfs_rename(&fs, "bin/ls", "d", root), -AE_EISDIR);
	ck_assert_int_eq(tmpfs_rename(&fs, "d/e", "e2", root), 0);
	ck_assert_int_eq(tmpfs_stat(&fs, d, &st), 0);
	ck_assert_uint_eq(st.nlink, 2);
	ck_assert_uint_eq(look("e2/.."), TMPFS_ROOT);
	ck_assert_int_eq(tmpfs_rename(&fs, "nope", "n2", root), -AE_ENOENT);
	ck_assert_int_eq(tmpfs_rename(&fs, "e2", "e2", root), 0);
	tmpfs_destroy(&fs);
}
END_TEST

START_TEST(test_tmpfs_permissions)
{
	uint32_t ino, f;

	setup(64, 64);
	mk("home", NODE_KIND_DIR, 0755, root);
	ck_assert_int_eq(tmpfs_chown(&fs, mk("home/u", NODE_KIND_DIR, 0700,
					     root), 1000, 1000, root), 0);
	f = mk("home/u/f", NODE_KIND_FILE, 0600, user);
	/* a user cannot make names where it may not write */
	ck_assert_int_eq(tmpfs_create(&fs, "home/x", NODE_KIND_FILE, 0644,
				      NULL, true, user, &ino), -AE_EACCES);
	ck_assert_int_eq(tmpfs_remove(&fs, "home/u", true, user), -AE_EACCES);
	/* nor search a directory closed to it */
	ck_assert_int_eq(tmpfs_lookup(&fs, "home/u/f", true, other, &ino),
			 -AE_EACCES);
	ck_assert_int_eq(tmpfs_open(&fs, "home/u/f", NODE_READ, user, &ino),
			 0);
	tmpfs_release(&fs, ino);
	ck_assert_int_eq(tmpfs_chmod(&fs, f, 0400, user), 0);
	ck_assert_int_eq(tmpfs_open(&fs, "home/u/f", NODE_WRITE, user, &ino),
			 -AE_EACCES);
	ck_assert_int_eq(tmpfs_open(&fs, "home/u/f", NODE_WRITE, root, &ino),
			 0);
	tmpfs_release(&fs, ino);
	ck_assert_int_eq(tmpfs_chmod(&fs, f, 0644, other), -AE_EPERM);
	ck_assert_int_eq(tmpfs_chown(&fs, f, 0, 0, user), -AE_EPERM);
	ck_assert_int_eq(tmpfs_chown(&fs, f, 1001, ~0u, root), 0);
	ck_assert_int_eq(tmpfs_open(&fs, "home", NODE_READ | NODE_WRITE,
				    root, &ino), -AE_EISDIR);
	ck_assert_int_eq(tmpfs_open(&fs, "home/u/f", NODE_READ | NODE_DIR,
				    root, &ino), -AE_ENOTDIR);
	tmpfs_destroy(&fs);
}
END_TEST

START_TEST(test_tmpfs_data)
{
	static char big[10000];
	uint32_t f, ino;
	int i;

	setup(64, 32);
	f = mk("f", NODE_KIND_FILE, 0644, root);
	put(f, 0, "abc");
	ck_assert_str_eq(get(f, 0, 100), "abc");
	ck_assert_str_eq(get(f, 1, 1), "b");
	ck_assert_str_eq(get(f, 3, 10), "");
	/* a hole reads as zeros, takes no page */
	put(f, 3 * 4096 + 1, "z");
	ck_assert_uint_eq(fs.used_pages, 2);
	ck_assert_int_eq(tmpfs_read(&fs, f, 4096, big, 4096), 4096);
	for (i = 0; i < 4096; i++)
		ck_assert_int_eq(big[i], 0);
	ck_assert_str_eq(get(f, 3 * 4096, 2) + 1, "z");
	/* truncation gives pages back, and a cut page reads zeros after */
	ck_assert_int_eq(tmpfs_truncate(&fs, f, 2, 0), 0);
	ck_assert_uint_eq(fs.used_pages, 1);
	ck_assert_int_eq(tmpfs_truncate(&fs, f, 3, 0), 0);
	ck_assert_int_eq(tmpfs_read(&fs, f, 0, big, 3), 3);
	ck_assert_int_eq(memcmp(big, "ab\0", 3), 0);
	/* the limit: a user stops 1/16 short of it, root goes on */
	for (i = 0; i < 40; i++)
		if (tmpfs_write(&fs, f, (uint64_t)i * 4096, big, 4096, 1000) !=
		    4096)
			break;
	ck_assert_int_eq(i, 30);
	ck_assert_int_eq(tmpfs_write(&fs, f, 30 * 4096, "x", 1, 1000),
			 -AE_ENOSPC);
	ck_assert_int_eq(tmpfs_write(&fs, f, 30 * 4096, "xy", 2, 0), 2);
	ck_assert_int_eq(tmpfs_write(&fs, f, 31 * 4096, "xy", 2, 0), 2);
	ck_assert_int_eq(tmpfs_write(&fs, f, 32 * 4096, "x", 1, 0),
			 -AE_ENOSPC);
	/* a write that runs out part way says what it wrote */
	ck_assert_int_eq(tmpfs_truncate(&fs, f, 31 * 4096, 0), 0);
	ck_assert_int_eq(tmpfs_write(&fs, f, 31 * 4096 - 10, big, 5000, 0),
			 4096 + 10);
	ck_assert_int_eq(tmpfs_write(&fs, f, TMPFS_FILE_MAX, "x", 1, 0),
			 -AE_EFBIG);
	ck_assert_int_eq(tmpfs_truncate(&fs, f, TMPFS_FILE_MAX + 1, 0),
			 -AE_EFBIG);
	/* an unlinked file lives while it is open */
	ck_assert_int_eq(tmpfs_open(&fs, "f", NODE_READ, root, &ino), 0);
	ck_assert_int_eq(tmpfs_remove(&fs, "f", false, root), 0);
	ck_assert_int_eq(tmpfs_read(&fs, f, 0, big, 2), 2);
	tmpfs_release(&fs, ino);
	ck_assert_uint_eq(fs.used_pages, 0);
	ck_assert_uint_eq(fs.used_inodes, 1);
	ck_assert_int_eq(tmpfs_read(&fs, f, 0, big, 1), -AE_EBADF);
	tmpfs_destroy(&fs);
}
END_TEST

START_TEST(test_tmpfs_inode_limit)
{
	char name[16];
	uint32_t ino;
	int made = 0, rc;

	setup(32, 8);
	mk("u", NODE_KIND_DIR, 0777, root);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "u/f%d", i);
		rc = tmpfs_create(&fs, name, NODE_KIND_FILE, 0666, NULL, true,
				  user, &ino);
		if (rc) {
			ck_assert_int_eq(rc, -AE_ENOSPC);
			break;
		}
		made++;
	}
	/* 32 less the last 1/16 (2) less the root and u */
	ck_assert_int_eq(made, 28);
	ck_assert_int_eq(tmpfs_create(&fs, "u/r1", NODE_KIND_FILE, 0666, NULL,
				      true, root, &ino), 0);
	ck_assert_int_eq(tmpfs_create(&fs, "u/r2", NODE_KIND_FILE, 0666, NULL,
				      true, root, &ino), 0);
	ck_assert_int_eq(tmpfs_create(&fs, "u/r3", NODE_KIND_FILE, 0666, NULL,
				      true, root, &ino), -AE_ENOSPC);
	tmpfs_destroy(&fs);
}
END_TEST

/* A newc archive as cpio -o -H newc writes it. */
static size_t entry(uint8_t *out, const char *name, uint32_t mode,
		    const char *data)
{
	size_t nlen = strlen(name) + 1, dlen = data ? strlen(data) : 0, n;

	n = (size_t)sprintf((char *)out,
			    "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x"
			    "%08x%08zx%08x", 1, mode, 0, 0, 1, 0,
			    (unsigned int)dlen, 0, 0, 0, 0, nlen, 0);
	memcpy(out + n, name, nlen);
	n += nlen;
	while (n % 4)
		out[n++] = 0;
	if (dlen)
		memcpy(out + n, data, dlen);
	n += dlen;
	while (n % 4)
		out[n++] = 0;
	return n;
}

START_TEST(test_tmpfs_unpack)
{
	static uint8_t a[4096];
	struct node_stat st;
	const char *why = NULL;
	uint32_t skipped = 9, ino;
	size_t n = 0;

	setup(64, 64);
	n += entry(a + n, ".", 040755, NULL);
	n += entry(a + n, "bin", 040755, NULL);
	n += entry(a + n, "bin/busybox", 0100755, "ELF...");
	n += entry(a + n, "bin/sh", 0120777, "busybox");
	n += entry(a + n, "./etc/deep/motd", 0100600, "hi\n");
	n += entry(a + n, "etc/deep", 040700, NULL);	/* after: its mode */
	n += entry(a + n, "dev/console", 020600, NULL);	/* skipped */
	n += entry(a + n, "TRAILER!!!", 0, NULL);
	ck_assert_int_eq(tmpfs_unpack(&fs, a, n, &skipped, &why), 0);
	ck_assert_uint_eq(skipped, 1);
	ino = look("bin/sh");
	ck_assert_uint_eq(ino, look("bin/busybox"));
	ck_assert_str_eq(get(ino, 0, 64), "ELF...");
	ck_assert_int_eq(tmpfs_stat(&fs, look("etc/deep"), &st), 0);
	ck_assert_uint_eq(st.mode, 0700);
	ino = look("etc/deep/motd");
	ck_assert_int_eq(tmpfs_stat(&fs, ino, &st), 0);
	ck_assert_uint_eq(st.mode, 0600);
	ck_assert_uint_eq(st.size, 3);
	ck_assert_uint_eq(fs.used_pages, 0);	/* the archive's bytes */
	/* the first write copies them: the archive is never written */
	put(ino, 1, "o");
	ck_assert_str_eq(get(ino, 0, 64), "ho\n");
	ck_assert_uint_eq(fs.used_pages, 1);
	ck_assert_ptr_nonnull(memmem(a, n, "hi\n", 3));
	ck_assert_int_eq(tmpfs_lookup(&fs, "dev/console", true, root, &ino),
			 -AE_ENOENT);
	tmpfs_destroy(&fs);

	/* a name twice, a bad magic, a link without a target */
	setup(64, 64);
	n = entry(a, "x", 0100644, "1");
	n += entry(a + n, "x", 0100644, "2");
	n += entry(a + n, "TRAILER!!!", 0, NULL);
	ck_assert_int_eq(tmpfs_unpack(&fs, a, n, &skipped, &why), -AE_EEXIST);
	ck_assert_str_eq(why, "a name is in the archive twice");
	a[0] = 'X';
	ck_assert_int_eq(tmpfs_unpack(&fs, a, n, &skipped, &why),
			 -AE_EBADMSG);
	n = entry(a, "l", 0120777, NULL);
	n += entry(a + n, "TRAILER!!!", 0, NULL);
	ck_assert_int_eq(tmpfs_unpack(&fs, a, n, &skipped, &why),
			 -AE_EBADMSG);
	tmpfs_destroy(&fs);
}
END_TEST

/* After a restart: handles gone (a removed file with them), a dangling
 * name, counts that drifted; a second check finds nothing. */
START_TEST(test_tmpfs_check_after_restart)
{
	uint32_t f, g, ino;

	setup(64, 64);
	f = mk("f", NODE_KIND_FILE, 0644, root);
	put(f, 0, "data");
	g = mk("g", NODE_KIND_FILE, 0644, root);
	put(g, 0, "gone");
	ck_assert_int_eq(tmpfs_open(&fs, "g", NODE_READ, root, &ino), 0);
	ck_assert_int_eq(tmpfs_remove(&fs, "g", false, root), 0);
	ck_assert_uint_eq(fs.used_pages, 2);
	/* a fault mid-way left a name to a freed inode, and the counts */
	mk("d", NODE_KIND_DIR, 0755, root);
	ino = mk("d/x", NODE_KIND_FILE, 0644, root);
	memset(&fs.inodes[ino], 0, sizeof(fs.inodes[ino]));	/* freed */
	fs.used_inodes += 5;
	ck_assert_uint_ge(tmpfs_check(&fs), 2);
	ck_assert_uint_eq(fs.used_pages, 1);		/* g went */
	ck_assert_uint_eq(fs.used_inodes, 3);		/* root, f, d */
	ck_assert_int_eq(tmpfs_lookup(&fs, "d/x", true, root, &ino),
			 -AE_ENOENT);
	ck_assert_str_eq(get(f, 0, 10), "data");
	ck_assert_uint_eq(tmpfs_check(&fs), 0);
	tmpfs_destroy(&fs);
}
END_TEST

Suite *suite_tmpfs(void)
{
	Suite *s = suite_create("tmpfs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tmpfs_tree);
	tcase_add_test(tc, test_tmpfs_links_and_rename);
	tcase_add_test(tc, test_tmpfs_permissions);
	tcase_add_test(tc, test_tmpfs_data);
	tcase_add_test(tc, test_tmpfs_inode_limit);
	tcase_add_test(tc, test_tmpfs_unpack);
	tcase_add_test(tc, test_tmpfs_check_after_restart);
	suite_add_tcase(s, tc);
	return s;
}
