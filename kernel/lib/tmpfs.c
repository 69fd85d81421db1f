/*
 * tmpfs.c - a file system in memory (aegis/tmpfs.h). Inodes live in one
 * table (an inode's number is its index); a directory is an array of
 * name slots, a file an array of page pointers (a page not yet written
 * is a hole that reads as zeros), a link its target string.
 *
 * A directory's removed names leave free slots rather than moving the
 * rest, so that a reader going through it by index (getdents64 while
 * rm -r removes what it read) sees every name that stayed.
 */
#include <string.h>
#include <aegis/elf.h>
#include <aegis/errno.h>
#include <aegis/tmpfs.h>

#define PAGE		4096u
#define S_IFMT		0170000
#define S_IFDIR		0040000
#define S_IFREG		0100000
#define S_IFLNK		0120000

static struct tmpfs_inode *inode(struct tmpfs *fs, uint32_t ino)
{
	if (ino == 0 || ino > fs->max_inodes || !fs->inodes[ino].kind)
		return NULL;
	return &fs->inodes[ino];
}

/* Whether uid may take one more of max when used are taken: the last
 * 1/16 is uid 0's. */
static bool allowed(uint64_t used, uint64_t max, uint32_t uid)
{
	return used < (uid == 0 ? max : max - max / 16);
}

static bool may(const struct tmpfs_inode *n, struct tmpfs_cred c,
		uint32_t bits)
{
	uint32_t m;

	if (c.uid == 0)
		return true;
	m = c.uid == n->uid ? n->mode >> 6 : c.gid == n->gid ? n->mode >> 3 :
	    n->mode;
	return (m & bits) == bits;
}

static int new_inode(struct tmpfs *fs, uint32_t kind, uint32_t mode,
		     struct tmpfs_cred c, uint32_t *ino)
{
	int64_t t = fs->now();

	if (!allowed(fs->used_inodes, fs->max_inodes, c.uid))
		return -AE_ENOSPC;
	for (uint32_t i = 1; i <= fs->max_inodes; i++) {
		struct tmpfs_inode *n = &fs->inodes[i];

		if (n->kind)
			continue;
		memset(n, 0, sizeof(*n));
		n->kind = (uint8_t)kind;
		n->mode = (uint16_t)(mode & 07777);
		n->uid = c.uid;
		n->gid = c.gid;
		n->atime = n->mtime = n->ctime = t;
		fs->used_inodes++;
		*ino = i;
		return 0;
	}
	return -AE_ENOSPC;
}

static void drop_pages(struct tmpfs *fs, struct tmpfs_inode *n,
		       uint32_t from)
{
	for (uint32_t i = from; i < n->npages; i++) {
		if (n->pages[i]) {
			fs->free(n->pages[i]);
			n->pages[i] = NULL;
			if (fs->used_pages)
				fs->used_pages--;
		}
	}
}

static void free_inode(struct tmpfs *fs, uint32_t ino)
{
	struct tmpfs_inode *n = &fs->inodes[ino];

	drop_pages(fs, n, 0);
	fs->free(n->pages);
	fs->free(n->ents);
	fs->free(n->target);
	memset(n, 0, sizeof(*n));
	fs->used_inodes--;
}

/* An inode with no name and no handle is gone. */
static void maybe_free(struct tmpfs *fs, uint32_t ino)
{
	struct tmpfs_inode *n = &fs->inodes[ino];

	if (n->kind && n->nlink == 0 && n->opens == 0)
		free_inode(fs, ino);
}

int tmpfs_init(struct tmpfs *fs, uint32_t max_inodes, uint64_t max_pages,
	       void *(*alloc)(size_t), void (*free)(void *),
	       int64_t (*now)(void))
{
	uint32_t root;
	int rc;

	memset(fs, 0, sizeof(*fs));
	if (max_inodes < 16 || max_inodes > (1u << 24))
		return -AE_EINVAL;
	fs->alloc = alloc;
	fs->free = free;
	fs->now = now;
	fs->max_inodes = max_inodes;
	fs->max_pages = max_pages;
	fs->inodes = alloc((size_t)(max_inodes + 1) * sizeof(*fs->inodes));
	if (!fs->inodes)
		return -AE_ENOMEM;
	rc = new_inode(fs, NODE_KIND_DIR, 0755, (struct tmpfs_cred){ 0, 0 },
		       &root);
	if (rc)
		return rc;
	fs->inodes[root].nlink = 2;
	fs->inodes[root].parent = root;
	return 0;
}

void tmpfs_destroy(struct tmpfs *fs)
{
	if (!fs->inodes)
		return;
	for (uint32_t i = 1; i <= fs->max_inodes; i++)
		if (fs->inodes[i].kind)
			free_inode(fs, i);
	fs->free(fs->inodes);
	fs->inodes = NULL;
}

/* ---- names ------------------------------------------------------------ */

static uint32_t find(struct tmpfs *fs, uint32_t dir, const char *name,
		     size_t len)
{
	struct tmpfs_inode *d = &fs->inodes[dir];

	if (len == 1 && name[0] == '.')
		return dir;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return d->parent;
	for (uint32_t i = 0; i < d->nents; i++)
		if (d->ents[i].ino && strlen(d->ents[i].name) == len &&
		    memcmp(d->ents[i].name, name, len) == 0)
			return d->ents[i].ino;
	return 0;
}

static int add_name(struct tmpfs *fs, uint32_t dir, const char *name,
		    uint32_t ino)
{
	struct tmpfs_inode *d = &fs->inodes[dir];
	uint32_t i;

	for (i = 0; i < d->nents && d->ents[i].ino; i++)
		;
	if (i == d->nents) {
		uint32_t n = d->nents ? d->nents * 2 : 8;
		struct tmpfs_dent *e = fs->alloc(n * sizeof(*e));

		if (!e)
			return -AE_ENOSPC;
		if (d->nents)
			memcpy(e, d->ents, d->nents * sizeof(*e));
		fs->free(d->ents);
		d->ents = e;
		d->nents = n;
	}
	memset(&d->ents[i], 0, sizeof(d->ents[i]));
	memcpy(d->ents[i].name, name, strlen(name));
	d->ents[i].ino = ino;
	d->mtime = d->ctime = fs->now();
	return 0;
}

static void del_name(struct tmpfs *fs, uint32_t dir, const char *name)
{
	struct tmpfs_inode *d = &fs->inodes[dir];

	for (uint32_t i = 0; i < d->nents; i++) {
		if (d->ents[i].ino && strcmp(d->ents[i].name, name) == 0) {
			memset(&d->ents[i], 0, sizeof(d->ents[i]));
			break;
		}
	}
	d->mtime = d->ctime = fs->now();
}

static bool dir_empty(const struct tmpfs_inode *d)
{
	for (uint32_t i = 0; i < d->nents; i++)
		if (d->ents[i].ino)
			return false;
	return true;
}

/* ---- lookups ---------------------------------------------------------- */

static int walk(struct tmpfs *fs, uint32_t dir, const char *path,
		bool follow, struct tmpfs_cred c, int *loops, uint32_t *out);

/* Follow link ino met in directory dir: where it leads. */
static int follow_link(struct tmpfs *fs, uint32_t dir, uint32_t ino,
		       struct tmpfs_cred c, int *loops, uint32_t *out)
{
	const char *t = fs->inodes[ino].target;

	if (++*loops > TMPFS_LOOPS)
		return -AE_ELOOP;
	if (t[0] == '/')
		return walk(fs, TMPFS_ROOT, t, true, c, loops, out);
	return walk(fs, dir, t, true, c, loops, out);
}

/* Walk path (its names, '/' between them, any number of them) from
 * directory dir. */
static int walk(struct tmpfs *fs, uint32_t dir, const char *path,
		bool follow, struct tmpfs_cred c, int *loops, uint32_t *out)
{
	const char *p = path;
	uint32_t cur = dir;

	for (;;) {
		const char *e;
		size_t len;
		uint32_t next;
		int rc;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		if (fs->inodes[cur].kind != NODE_KIND_DIR)
			return -AE_ENOTDIR;
		if (!may(&fs->inodes[cur], c, 1))
			return -AE_EACCES;
		for (e = p; *e && *e != '/'; e++)
			;
		len = (size_t)(e - p);
		if (len > TMPFS_NAME_MAX)
			return -AE_ENAMETOOLONG;
		next = find(fs, cur, p, len);
		if (!next)
			return -AE_ENOENT;
		while (*e == '/')
			e++;
		if (fs->inodes[next].kind == NODE_KIND_LINK &&
		    (*e || follow)) {
			rc = follow_link(fs, cur, next, c, loops, &next);
			if (rc)
				return rc;
		}
		cur = next;
		p = e;
	}
	*out = cur;
	return 0;
}

int tmpfs_lookup(struct tmpfs *fs, const char *path, bool follow,
		 struct tmpfs_cred c, uint32_t *ino)
{
	int loops = 0;

	return walk(fs, TMPFS_ROOT, path, follow, c, &loops, ino);
}

/* The directory path's last name is in, searchable and writable for c,
 * and that name (copied into name): -EEXIST for the root itself. */
static int parent_of(struct tmpfs *fs, const char *path,
		     struct tmpfs_cred c, uint32_t *dir, char *name)
{
	char up[NODE_PATH_MAX];
	const char *slash = strrchr(path, '/'), *last = slash ? slash + 1
							       : path;
	size_t ulen = slash ? (size_t)(slash - path) : 0, nlen = strlen(last);
	int loops = 0, rc;

	if (nlen == 0)
		return -AE_EEXIST;	/* the root */
	if (nlen > TMPFS_NAME_MAX)
		return -AE_ENAMETOOLONG;
	if ((nlen == 1 && last[0] == '.') ||
	    (nlen == 2 && last[0] == '.' && last[1] == '.'))
		return -AE_EINVAL;
	if (ulen >= sizeof(up))
		return -AE_ENAMETOOLONG;
	memcpy(up, path, ulen);
	up[ulen] = '\0';
	rc = walk(fs, TMPFS_ROOT, up, true, c, &loops, dir);
	if (rc)
		return rc;
	if (fs->inodes[*dir].kind != NODE_KIND_DIR)
		return -AE_ENOTDIR;
	memcpy(name, last, nlen + 1);
	return 0;
}

static int writable_dir(struct tmpfs *fs, uint32_t dir, struct tmpfs_cred c)
{
	return may(&fs->inodes[dir], c, 3) ? 0 : -AE_EACCES;
}

int tmpfs_open(struct tmpfs *fs, const char *path, uint32_t want,
	       struct tmpfs_cred c, uint32_t *ino)
{
	struct tmpfs_inode *n;
	uint32_t bits = ((want & NODE_READ) ? 4 : 0) |
			((want & NODE_WRITE) ? 2 : 0);
	int rc = tmpfs_lookup(fs, path, true, c, ino);

	if (rc)
		return rc;
	n = &fs->inodes[*ino];
	if (n->kind == NODE_KIND_DIR && (want & NODE_WRITE))
		return -AE_EISDIR;
	if (n->kind != NODE_KIND_DIR && (want & NODE_DIR))
		return -AE_ENOTDIR;
	if (!may(n, c, bits))
		return -AE_EACCES;
	n->opens++;
	return 0;
}

void tmpfs_hold(struct tmpfs *fs, uint32_t ino)
{
	if (inode(fs, ino))
		fs->inodes[ino].opens++;
}

void tmpfs_release(struct tmpfs *fs, uint32_t ino)
{
	struct tmpfs_inode *n = inode(fs, ino);

	if (n && n->opens) {
		n->opens--;
		maybe_free(fs, ino);
	}
}

/* ---- making and removing names ------------------------------------------ */

int tmpfs_create(struct tmpfs *fs, const char *path, uint32_t kind,
		 uint32_t mode, const char *target, bool excl,
		 struct tmpfs_cred c, uint32_t *ino)
{
	char name[NODE_NAME_MAX];
	uint32_t dir, old, new;
	size_t tlen = 0;
	int rc;

	if (kind != NODE_KIND_FILE && kind != NODE_KIND_DIR &&
	    kind != NODE_KIND_LINK)
		return -AE_EINVAL;
	if (kind == NODE_KIND_LINK) {
		tlen = target ? strlen(target) : 0;
		if (tlen == 0)
			return -AE_ENOENT;	/* Linux: an empty target */
		if (tlen > TMPFS_TARGET_MAX)
			return -AE_ENAMETOOLONG;
	}
	rc = parent_of(fs, path, c, &dir, name);
	if (rc)
		return rc;
	old = find(fs, dir, name, strlen(name));
	if (old) {
		if (excl || kind != NODE_KIND_FILE)
			return -AE_EEXIST;
		/* open(O_CREAT) of what is there: that, through a link */
		rc = tmpfs_lookup(fs, path, true, c, &old);
		if (rc)
			return rc == -AE_ENOENT ? -AE_EEXIST : rc;
		if (fs->inodes[old].kind == NODE_KIND_DIR)
			return -AE_EISDIR;
		*ino = old;
		return 0;
	}
	rc = writable_dir(fs, dir, c);
	if (rc)
		return rc;
	rc = new_inode(fs, kind, kind == NODE_KIND_LINK ? 0777 : mode, c,
		       &new);
	if (rc)
		return rc;
	if (kind == NODE_KIND_LINK) {
		fs->inodes[new].target = fs->alloc(tlen + 1);
		if (!fs->inodes[new].target) {
			free_inode(fs, new);
			return -AE_ENOSPC;
		}
		memcpy(fs->inodes[new].target, target, tlen + 1);
		fs->inodes[new].size = tlen;
	}
	rc = add_name(fs, dir, name, new);
	if (rc) {
		free_inode(fs, new);
		return rc;
	}
	fs->inodes[new].nlink = 1;
	if (kind == NODE_KIND_DIR) {
		fs->inodes[new].nlink = 2;
		fs->inodes[new].parent = dir;
		fs->inodes[dir].nlink++;
	}
	*ino = new;
	return 0;
}

int tmpfs_remove(struct tmpfs *fs, const char *path, bool dir,
		 struct tmpfs_cred c)
{
	char name[NODE_NAME_MAX];
	uint32_t up, ino;
	struct tmpfs_inode *n;
	int rc = parent_of(fs, path, c, &up, name);

	if (rc)
		return rc == -AE_EEXIST ? -AE_EBUSY : rc;
	ino = find(fs, up, name, strlen(name));
	if (!ino)
		return -AE_ENOENT;
	n = &fs->inodes[ino];
	rc = writable_dir(fs, up, c);	/* Linux asks this first */
	if (rc)
		return rc;
	if (dir && n->kind != NODE_KIND_DIR)
		return -AE_ENOTDIR;
	if (!dir && n->kind == NODE_KIND_DIR)
		return -AE_EISDIR;
	if (dir && !dir_empty(n))
		return -AE_ENOTEMPTY;
	del_name(fs, up, name);
	n->ctime = fs->now();
	if (n->kind == NODE_KIND_DIR) {
		fs->inodes[up].nlink--;
		n->nlink = 0;
	} else {
		n->nlink--;
	}
	maybe_free(fs, ino);
	return 0;
}

/* Whether directory dir is inode anc or below it. */
static bool below(struct tmpfs *fs, uint32_t dir, uint32_t anc)
{
	for (uint32_t i = 0; i <= fs->max_inodes; i++) {
		if (dir == anc)
			return true;
		if (dir == TMPFS_ROOT)
			return false;
		dir = fs->inodes[dir].parent;
	}
	return true;	/* a loop: refuse */
}

int tmpfs_rename(struct tmpfs *fs, const char *from, const char *to,
		 struct tmpfs_cred c)
{
	char fname[NODE_NAME_MAX], tname[NODE_NAME_MAX];
	uint32_t fdir, tdir, src, dst;
	int rc;

	rc = parent_of(fs, from, c, &fdir, fname);
	if (rc)
		return rc == -AE_EEXIST ? -AE_EBUSY : rc;
	rc = parent_of(fs, to, c, &tdir, tname);
	if (rc)
		return rc == -AE_EEXIST ? -AE_EBUSY : rc;
	src = find(fs, fdir, fname, strlen(fname));
	if (!src)
		return -AE_ENOENT;
	rc = writable_dir(fs, fdir, c);
	if (!rc)
		rc = writable_dir(fs, tdir, c);
	if (rc)
		return rc;
	dst = find(fs, tdir, tname, strlen(tname));
	if (dst == src)
		return 0;	/* the same file: nothing to do */
	if (fs->inodes[src].kind == NODE_KIND_DIR && below(fs, tdir, src))
		return -AE_EINVAL;
	if (dst) {
		struct tmpfs_inode *d = &fs->inodes[dst];

		if (fs->inodes[src].kind == NODE_KIND_DIR) {
			if (d->kind != NODE_KIND_DIR)
				return -AE_ENOTDIR;
			if (!dir_empty(d))
				return -AE_ENOTEMPTY;
		} else if (d->kind == NODE_KIND_DIR) {
			return -AE_EISDIR;
		}
		rc = tmpfs_remove(fs, to, d->kind == NODE_KIND_DIR, c);
		if (rc)
			return rc;
	}
	rc = add_name(fs, tdir, tname, src);
	if (rc)
		return rc;
	del_name(fs, fdir, fname);
	if (fs->inodes[src].kind == NODE_KIND_DIR) {
		fs->inodes[src].parent = tdir;
		fs->inodes[fdir].nlink--;
		fs->inodes[tdir].nlink++;
	}
	fs->inodes[src].ctime = fs->now();
	return 0;
}

int tmpfs_link(struct tmpfs *fs, const char *from, const char *to,
	       struct tmpfs_cred c)
{
	char name[NODE_NAME_MAX];
	uint32_t src, dir;
	int rc = tmpfs_lookup(fs, from, false, c, &src);

	if (rc)
		return rc;
	if (fs->inodes[src].kind == NODE_KIND_DIR)
		return -AE_EPERM;
	rc = parent_of(fs, to, c, &dir, name);
	if (rc)
		return rc;
	if (find(fs, dir, name, strlen(name)))
		return -AE_EEXIST;
	rc = writable_dir(fs, dir, c);
	if (rc)
		return rc;
	rc = add_name(fs, dir, name, src);
	if (rc)
		return rc;
	fs->inodes[src].nlink++;
	fs->inodes[src].ctime = fs->now();
	return 0;
}

int tmpfs_readlink(struct tmpfs *fs, const char *path, struct tmpfs_cred c,
		   char *buf, uint32_t size)
{
	uint32_t ino;
	size_t n;
	int rc = tmpfs_lookup(fs, path, false, c, &ino);

	if (rc)
		return rc;
	if (fs->inodes[ino].kind != NODE_KIND_LINK)
		return -AE_EINVAL;
	n = strlen(fs->inodes[ino].target);
	if (n > size)
		n = size;
	memcpy(buf, fs->inodes[ino].target, n);
	return (int)n;
}

/* ---- data --------------------------------------------------------------- */

/* Give file n pages of its own for what the archive held. */
static int own(struct tmpfs *fs, struct tmpfs_inode *n, uint32_t uid);

static int grow_table(struct tmpfs *fs, struct tmpfs_inode *n, uint64_t want)
{
	uint32_t count = n->npages ? n->npages : 4;
	uint8_t **t;

	if (want <= n->npages)
		return 0;
	while (count < want)
		count *= 2;
	t = fs->alloc(count * sizeof(*t));
	if (!t)
		return -AE_ENOSPC;
	if (n->npages)
		memcpy(t, n->pages, n->npages * sizeof(*t));
	fs->free(n->pages);
	n->pages = t;
	n->npages = count;
	return 0;
}

static uint8_t *page(struct tmpfs *fs, struct tmpfs_inode *n, uint64_t i,
		     uint32_t uid, int *rc)
{
	*rc = grow_table(fs, n, i + 1);
	if (*rc)
		return NULL;
	if (!n->pages[i]) {
		if (!allowed(fs->used_pages, fs->max_pages, uid)) {
			*rc = -AE_ENOSPC;
			return NULL;
		}
		n->pages[i] = fs->alloc(PAGE);
		if (!n->pages[i]) {
			*rc = -AE_ENOSPC;
			return NULL;
		}
		fs->used_pages++;
	}
	return n->pages[i];
}

static int own(struct tmpfs *fs, struct tmpfs_inode *n, uint32_t uid)
{
	const uint8_t *b = n->backing;
	int rc = 0;

	if (!b)
		return 0;
	for (uint64_t off = 0; off < n->size; off += PAGE) {
		uint64_t k = n->size - off < PAGE ? n->size - off : PAGE;
		uint8_t *pg = page(fs, n, off / PAGE, uid, &rc);

		if (!pg) {
			drop_pages(fs, n, 0);
			return rc;
		}
		memcpy(pg, b + off, k);
	}
	n->backing = NULL;
	return 0;
}

int64_t tmpfs_read(struct tmpfs *fs, uint32_t ino, uint64_t off, void *buf,
		   uint32_t len)
{
	struct tmpfs_inode *n = inode(fs, ino);
	uint64_t done = 0;

	if (!n)
		return -AE_EBADF;
	if (n->kind == NODE_KIND_DIR)
		return -AE_EISDIR;
	if (n->kind != NODE_KIND_FILE)
		return -AE_EINVAL;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = (uint32_t)(n->size - off);
	if (n->backing) {
		memcpy(buf, n->backing + off, len);
		done = len;
	}
	while (done < len) {
		uint64_t at = off + done, i = at / PAGE;
		uint32_t in = (uint32_t)(at % PAGE);
		uint32_t k = PAGE - in < len - done ? PAGE - in
						    : (uint32_t)(len - done);

		if (i < n->npages && n->pages[i])
			memcpy((uint8_t *)buf + done, n->pages[i] + in, k);
		else
			memset((uint8_t *)buf + done, 0, k);
		done += k;
	}
	n->atime = fs->now();
	return (int64_t)done;
}

int64_t tmpfs_write(struct tmpfs *fs, uint32_t ino, uint64_t off,
		    const void *buf, uint32_t len, uint32_t uid)
{
	struct tmpfs_inode *n = inode(fs, ino);
	uint64_t done = 0;
	int rc = 0;

	if (!n)
		return -AE_EBADF;
	if (n->kind == NODE_KIND_DIR)
		return -AE_EISDIR;
	if (n->kind != NODE_KIND_FILE)
		return -AE_EINVAL;
	if (len == 0)
		return 0;
	if (off >= TMPFS_FILE_MAX)
		return -AE_EFBIG;
	if (len > TMPFS_FILE_MAX - off)
		len = (uint32_t)(TMPFS_FILE_MAX - off);
	rc = own(fs, n, uid);
	if (rc)
		return rc;
	while (done < len) {
		uint64_t at = off + done;
		uint32_t in = (uint32_t)(at % PAGE);
		uint32_t k = PAGE - in < len - done ? PAGE - in
						    : (uint32_t)(len - done);
		uint8_t *pg = page(fs, n, at / PAGE, uid, &rc);

		if (!pg)
			break;
		memcpy(pg + in, (const uint8_t *)buf + done, k);
		done += k;
		if (off + done > n->size)
			n->size = off + done;
	}
	if (done == 0)
		return rc;
	n->mtime = n->ctime = fs->now();
	return (int64_t)done;
}

int tmpfs_truncate(struct tmpfs *fs, uint32_t ino, uint64_t size,
		   uint32_t uid)
{
	struct tmpfs_inode *n = inode(fs, ino);
	uint64_t keep;
	int rc;

	if (!n)
		return -AE_EBADF;
	if (n->kind == NODE_KIND_DIR)
		return -AE_EISDIR;
	if (n->kind != NODE_KIND_FILE)
		return -AE_EINVAL;
	if (size > TMPFS_FILE_MAX)
		return -AE_EFBIG;
	rc = own(fs, n, uid);
	if (rc)
		return rc;
	keep = (size + PAGE - 1) / PAGE;
	if (keep < n->npages)
		drop_pages(fs, n, (uint32_t)keep);
	/* the rest of a page cut in the middle reads as zeros again */
	if (size % PAGE && size / PAGE < n->npages && n->pages[size / PAGE])
		memset(n->pages[size / PAGE] + size % PAGE, 0,
		       PAGE - size % PAGE);
	n->size = size;
	n->mtime = n->ctime = fs->now();
	return 0;
}

int tmpfs_chmod(struct tmpfs *fs, uint32_t ino, uint32_t mode,
		struct tmpfs_cred c)
{
	struct tmpfs_inode *n = inode(fs, ino);

	if (!n)
		return -AE_EBADF;
	if (c.uid != 0 && c.uid != n->uid)
		return -AE_EPERM;
	n->mode = (uint16_t)(mode & 07777);
	n->ctime = fs->now();
	return 0;
}

int tmpfs_chown(struct tmpfs *fs, uint32_t ino, uint32_t uid, uint32_t gid,
		struct tmpfs_cred c)
{
	struct tmpfs_inode *n = inode(fs, ino);

	if (!n)
		return -AE_EBADF;
	if (c.uid != 0)
		return -AE_EPERM;
	if (uid != ~0u)
		n->uid = uid;
	if (gid != ~0u)
		n->gid = gid;
	n->ctime = fs->now();
	return 0;
}

int tmpfs_utimes(struct tmpfs *fs, uint32_t ino, uint32_t what,
		 int64_t atime, int64_t mtime, struct tmpfs_cred c)
{
	struct tmpfs_inode *n = inode(fs, ino);

	if (!n)
		return -AE_EBADF;
	if (c.uid != 0 && c.uid != n->uid &&
	    ((what & NODE_SET_OWNED) || !may(n, c, 2)))
		return (what & NODE_SET_OWNED) ? -AE_EPERM : -AE_EACCES;
	if (what & NODE_SET_ATIME)
		n->atime = atime;
	if (what & NODE_SET_MTIME)
		n->mtime = mtime;
	n->ctime = fs->now();
	return 0;
}

int tmpfs_stat(struct tmpfs *fs, uint32_t ino, struct node_stat *st)
{
	struct tmpfs_inode *n = inode(fs, ino);

	if (!n)
		return -AE_EBADF;
	memset(st, 0, sizeof(*st));
	st->kind = n->kind;
	st->mode = n->mode;
	st->uid = n->uid;
	st->gid = n->gid;
	st->size = n->kind == NODE_KIND_DIR ? 4096 : n->size;
	st->ino = ino;
	st->nlink = n->nlink;	/* 0: removed, still open */
	st->atime = n->atime;
	st->mtime = n->mtime;
	st->ctime = n->ctime;
	return 0;
}

int tmpfs_readdir(struct tmpfs *fs, uint32_t ino, uint32_t index,
		  struct node_dirent *d)
{
	struct tmpfs_inode *n = inode(fs, ino);

	if (!n)
		return -AE_EBADF;
	if (n->kind != NODE_KIND_DIR)
		return -AE_ENOTDIR;
	memset(d, 0, sizeof(*d));
	d->kind = NODE_KIND_DIR;
	if (index < 2) {
		memcpy(d->name, "..", index + 1u);
		d->ino = index ? n->parent : ino;
		d->next = index + 1;
		return 0;
	}
	for (uint32_t i = index - 2; i < n->nents; i++) {
		if (!n->ents[i].ino)
			continue;
		memcpy(d->name, n->ents[i].name, sizeof(d->name));
		d->ino = n->ents[i].ino;
		d->kind = fs->inodes[d->ino].kind;
		d->next = i + 3;
		return 0;
	}
	return -AE_ENOENT;
}

/* ---- after a restart ------------------------------------------------------ */

uint32_t tmpfs_check(struct tmpfs *fs)
{
	uint32_t fixed = 0, inodes = 0;
	uint64_t pages = 0;

	/* every handle went: the inodes only they kept go too */
	for (uint32_t i = 1; i <= fs->max_inodes; i++) {
		struct tmpfs_inode *n = &fs->inodes[i];

		if (!n->kind)
			continue;
		if (n->kind > NODE_KIND_LINK ||
		    (n->kind != NODE_KIND_DIR && n->kind != NODE_KIND_FILE &&
		     n->kind != NODE_KIND_LINK) ||
		    (n->kind == NODE_KIND_LINK && !n->target)) {
			n->kind = NODE_KIND_FILE;	/* keep it freeable */
			n->nlink = 0;
			fixed++;
		}
		n->opens = 0;
	}
	/* names of inodes that are gone, and directories that lost their
	 * parent, are taken away */
	for (uint32_t i = 1; i <= fs->max_inodes; i++) {
		struct tmpfs_inode *d = &fs->inodes[i];

		if (d->kind != NODE_KIND_DIR)
			continue;
		for (uint32_t k = 0; k < d->nents; k++) {
			uint32_t c = d->ents[k].ino;

			if (c && (c > fs->max_inodes || !fs->inodes[c].kind ||
				  fs->inodes[c].nlink == 0)) {
				memset(&d->ents[k], 0, sizeof(d->ents[k]));
				fixed++;
			}
		}
		if (i != TMPFS_ROOT && (d->parent == 0 ||
					d->parent > fs->max_inodes ||
					fs->inodes[d->parent].kind !=
					NODE_KIND_DIR)) {
			d->parent = TMPFS_ROOT;
			fixed++;
		}
	}
	fs->inodes[TMPFS_ROOT].parent = TMPFS_ROOT;
	for (uint32_t i = 1; i <= fs->max_inodes; i++) {
		if (!fs->inodes[i].kind)
			continue;
		if (fs->inodes[i].nlink == 0 && i != TMPFS_ROOT) {
			/* count it so that free_inode's count stays right */
			fs->used_inodes++;
			free_inode(fs, i);
			continue;
		}
		inodes++;
		for (uint32_t k = 0; k < fs->inodes[i].npages; k++)
			pages += fs->inodes[i].pages[k] != NULL;
	}
	if (inodes != fs->used_inodes || pages != fs->used_pages)
		fixed++;
	fs->used_inodes = inodes;
	fs->used_pages = pages;
	return fixed;
}

/* ---- the archive -------------------------------------------------------- */

/* Make every directory above name (a path), as mkdir -p does. */
static int make_parents(struct tmpfs *fs, const char *name)
{
	char up[NODE_PATH_MAX];
	const struct tmpfs_cred root = { 0, 0 };
	size_t n = strlen(name);

	if (n >= sizeof(up))
		return -AE_ENAMETOOLONG;
	memcpy(up, name, n + 1);
	for (char *s = up; (s = strchr(s, '/')) != NULL; s++) {
		uint32_t ino;
		int rc;

		*s = '\0';
		rc = tmpfs_create(fs, up, NODE_KIND_DIR, 0755, NULL, true,
				  root, &ino);
		*s = '/';
		if (rc && rc != -AE_EEXIST)
			return rc;
	}
	return 0;
}

int tmpfs_unpack(struct tmpfs *fs, const void *a, size_t len,
		 uint32_t *skipped, const char **why)
{
	const struct tmpfs_cred root = { 0, 0 };
	struct cpio_entry e;
	size_t off = 0;
	int rc;

	*skipped = 0;
	while ((rc = cpio_next(a, len, &off, &e, why)) == 1) {
		const char *name = e.name;
		char target[NODE_PATH_MAX];
		uint32_t ino, type = e.mode & S_IFMT;

		while (name[0] == '.' && name[1] == '/')
			name += 2;
		while (name[0] == '/')
			name++;
		if (!name[0] || strcmp(name, ".") == 0)
			continue;
		rc = make_parents(fs, name);
		if (rc) {
			*why = "a directory above a name cannot be made";
			return rc;
		}
		if (type == S_IFDIR) {
			rc = tmpfs_create(fs, name, NODE_KIND_DIR, e.mode,
					  NULL, true, root, &ino);
			if (rc == -AE_EEXIST &&
			    tmpfs_lookup(fs, name, false, root, &ino) == 0 &&
			    fs->inodes[ino].kind == NODE_KIND_DIR) {
				fs->inodes[ino].mode = e.mode & 07777;
				rc = 0;
			}
		} else if (type == S_IFREG) {
			rc = tmpfs_create(fs, name, NODE_KIND_FILE, e.mode,
					  NULL, true, root, &ino);
			if (rc == 0) {
				fs->inodes[ino].backing = e.data;
				fs->inodes[ino].size = e.size;
			}
		} else if (type == S_IFLNK) {
			if (e.size == 0 || e.size >= sizeof(target)) {
				*why = "a symbolic link's target is empty or too long";
				return -AE_EBADMSG;
			}
			memcpy(target, e.data, e.size);
			target[e.size] = '\0';
			rc = tmpfs_create(fs, name, NODE_KIND_LINK, 0777,
					  target, true, root, &ino);
		} else {
			++*skipped;	/* devices, fifos, sockets */
			continue;
		}
		if (rc) {
			*why = rc == -AE_EEXIST ? "a name is in the archive twice"
						: "a name cannot be made";
			return rc;
		}
	}
	return rc;
}
