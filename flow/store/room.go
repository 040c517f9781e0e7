package store

import (
	"context"
	"fmt"
	"path/filepath"
)

// BytesPerFollower is the disk a synced follower takes in the database.
// Measured by TestBytesPerFollower, a sync of 50,000 followers with
// WeChat-like 28-character openids and unionids in pages of 10,000 in
// random openid order: 106 bytes each once the log was copied back; and by
// BenchmarkSyncMillion, the demo stack's sync of 1,000,000: 115 bytes. A
// tree's pages fill less as it grows, so it is rounded up to 130; the sync
// benchmarks fail when a follower takes more.
const BytesPerFollower = 130

// syncSpare is room a sync needs whatever its size: the write-ahead log,
// which holds at least a page of 10,000 followers before it is copied back,
// and what other writes may take meanwhile.
const syncSpare = 64 << 20

// NoRoomError says a sync was not started because the database's disk
// cannot hold it: Need bytes are needed, Have are free in Folder.
type NoRoomError struct {
	Need, Have int64
	Folder     string
}

func (e *NoRoomError) Error() string {
	return fmt.Sprintf("store: a sync needs about %d bytes, the disk of %s has %d free", e.Need, e.Folder, e.Have)
}

// Is lets the window treat it as a full disk, which it would become.
func (e *NoRoomError) Is(target error) bool { return target == ErrDiskFull }

// SyncNeeds is the disk a sync of followers more followers needs.
func SyncNeeds(followers int64) int64 { return max(followers, 0)*BytesPerFollower + syncSpare }

// CheckSyncRoom refuses, with a *NoRoomError, a sync of an account with
// total followers when the disk of the database cannot hold the ones not
// stored yet; it is called before a sync starts, so it never fails half-way
// with a full disk.
func (d *DB) CheckSyncRoom(ctx context.Context, appid string, total int64) error {
	fs, err := d.FollowerStats(ctx, appid)
	if err != nil {
		return err
	}
	dir := filepath.Dir(d.path)
	have, err := freeBytes(dir)
	if err != nil {
		return classify(err)
	}
	if need := SyncNeeds(total - fs.Total); need > have {
		return &NoRoomError{Need: need, Have: have, Folder: dir}
	}
	return nil
}
