//go:build unix

package store

import "golang.org/x/sys/unix"

// freeBytes is what an unprivileged user may still write on dir's volume.
func freeBytes(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
