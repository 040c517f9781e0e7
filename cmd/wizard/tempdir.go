package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// removeTempDir removes a folder the wizard made under the system's temp
// folder, so a clean exit leaves nothing there. os.RemoveAll on Windows
// deletes through FileDispositionInformationEx and does not fall back when
// the system answers "not implemented", as Wine before 9 does (the test
// command runs the real .exe under Debian's Wine 8); removing each entry
// with os.Remove (DeleteFileW, RemoveDirectoryW) works everywhere, and still
// fails on a file some handle keeps open.
func removeTempDir(dir string) error {
	if err := os.RemoveAll(dir); err == nil {
		return nil
	}
	var paths []string
	filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			paths = append(paths, p)
		}
		return nil
	})
	// Deepest first: a folder is removed after what it holds.
	slices.Reverse(paths)
	var errs []error
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
