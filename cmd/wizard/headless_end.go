package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"oawizard/flow/sdkimport"
	"oawizard/flow/store"
)

// abort ends a run that could not get to its end: the report, with what is
// known so far, is printed all the same, so a script reading stdout always
// gets one JSON document saying how the run ended.
func (rep *headlessReport) abort(ctx context.Context, stage string, err error, stdout io.Writer) int {
	rep.Status, rep.Stage, rep.Reason, rep.Message = "failed", stage, failReason(err), err.Error()
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		rep.Status = "stopped"
	}
	var ie *sdkimport.Error
	if errors.As(err, &ie) {
		rep.Sheets = ie.Sheets
	}
	var le *store.LockError
	if errors.As(err, &le) {
		rep.HeldBy = le.By
	}
	if rep.Authorization.Status == "" {
		rep.Authorization.Status = "skipped"
	}
	rep.print(stdout)
	return exitError
}

func (rep *headlessReport) print(stdout io.Writer) error {
	if rep.Sync.Status == "" {
		rep.Sync.Status = "skipped"
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// failReason is a run's end as a stable id a script can act on.
func failReason(err error) string {
	var ie *sdkimport.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, store.ErrReadOnly):
		return "store_read_only"
	case errors.Is(err, store.ErrDiskFull):
		return "store_disk_full"
	case errors.Is(err, store.ErrLocked):
		return "store_locked"
	case errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrTooNew):
		return "store_corrupt"
	case errors.As(err, &ie):
		return "sdk_" + string(ie.Kind)
	case errors.Is(err, os.ErrNotExist):
		return "not_found"
	case errors.Is(err, os.ErrPermission):
		return "permission"
	}
	return "error"
}

// privateDir makes dir, or narrows it when it exists, to this user alone:
// it will hold who the admin's followers are. A folder that cannot be
// narrowed (another user's, a file system without modes) is refused with
// the reason, not used open.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		// Windows keeps no mode bits (Go reports every folder 0777); who may
		// read a folder is its ACL, and the user's own profile is private.
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("%s cannot be made private to this user: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s stays open to other users (mode %v) on this file system", dir, fi.Mode().Perm())
	}
	return nil
}
