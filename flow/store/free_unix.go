//go:build linux || darwin

package store

import "syscall"

// freeBytes is the room an unprivileged user has left on dir's volume.
func freeBytes(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
