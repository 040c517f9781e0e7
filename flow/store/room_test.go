package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"testing"

	"oawizard/flow/syncer"
)

// wechatLikeRows are n followers with random 28-character openids and
// unionids, as WeChat's look, in no order.
func wechatLikeRows(rng *rand.Rand, n int) []syncer.Follower {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	id := func(first byte) string {
		b := make([]byte, 28)
		b[0] = first
		for i := 1; i < len(b); i++ {
			b[i] = chars[rng.IntN(len(chars))]
		}
		return string(b)
	}
	out := make([]syncer.Follower, n)
	for i := range out {
		out[i] = syncer.Follower{OpenID: id('o'), UnionID: id('u'), Subscribed: true, SubscribeTime: 1700000000 + int64(i),
			SubscribeScene: "ADD_SCENE_QR_CODE"}
	}
	return out
}

// The bytes a follower takes on disk, measured over a sync of 50,000, stay
// within BytesPerFollower and close enough to it that the estimate is not
// padded.
func TestBytesPerFollower(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 50_000
	cp, err := d.BeginRun(ctx, "wxa")
	if err != nil {
		t.Fatal(err)
	}
	var wal int64
	for i := 0; i < n; i += 10_000 {
		if err := d.WritePage(ctx, "wxa", wechatLikeRows(rng, 10_000), cp); err != nil {
			t.Fatal(err)
		}
		wal = max(wal, fileSize(d.path+"-wal"))
	}
	if _, err := d.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	per := float64(fileSize(d.path)) / n
	t.Logf("%.0f bytes per follower in the database, BytesPerFollower = %d; the log peaked at %d MB (spare %d MB)",
		per, BytesPerFollower, wal>>20, syncSpare>>20)
	if wal > syncSpare {
		t.Errorf("the log grew to %d MB, beyond the spare room", wal>>20)
	}
	if per > BytesPerFollower || per < 0.75*BytesPerFollower {
		t.Fatalf("measured %.0f bytes per follower, BytesPerFollower says %d", per, BytesPerFollower)
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func TestSyncRoomIsCheckedBeforeASync(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	if err := d.CheckSyncRoom(ctx, "wxa", 1000); err != nil {
		t.Fatalf("1,000 followers do not fit: %v", err)
	}
	// More followers than any disk holds.
	err := d.CheckSyncRoom(ctx, "wxa", 1<<52)
	var room *NoRoomError
	if !errors.As(err, &room) || !errors.Is(err, ErrDiskFull) {
		t.Fatalf("want a NoRoomError, got %v", err)
	}
	if room.Need != SyncNeeds(1<<52) || room.Have <= 0 || room.Have >= room.Need || room.Folder == "" {
		t.Fatalf("need %d, have %d in %q", room.Need, room.Have, room.Folder)
	}
	// Followers stored already need no more room.
	if err := d.InsertFollowers(ctx, "wxa", rows(0, 5000)); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckSyncRoom(ctx, "wxa", 5000); err != nil {
		t.Fatal(err)
	}
	if err := d.CheckSyncRoom(ctx, "wxa", 5000+room.Have/BytesPerFollower); !errors.As(err, &room) {
		t.Fatalf("want a NoRoomError for what the disk cannot hold, got %v", err)
	}
}
