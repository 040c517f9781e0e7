package flow

import (
	"errors"
	"fmt"
	"testing"

	"oawizard/flow/store"
)

// A sync the disk cannot hold is told with its sizes in words, not as a
// plain full disk and not in bytes.
func TestRoomTextSaysNeedAndHave(t *testing.T) {
	err := fmt.Errorf("sync: %w", &store.NoRoomError{Need: 650_000_000, Have: 1_200_000_000_0 / 100, Folder: "/data"})
	txt, ok := RoomText(err)
	if !ok || txt.Key != "sync.error.no_room" || txt.Data["Need"] != "650 MB" || txt.Data["Have"] != "120 MB" || txt.Data["Folder"] != "/data" {
		t.Fatalf("%+v, %v", txt, ok)
	}
	if _, ok := RoomText(errors.New("disk full")); ok {
		t.Fatal("another error read as a refused sync")
	}
	for n, want := range map[int64]string{999: "999 B", 1500: "2 KB", 2_500_000_000: "2.5 GB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
