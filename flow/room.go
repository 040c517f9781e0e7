package flow

import (
	"errors"
	"fmt"

	"oawizard/flow/store"
)

// RoomText words a sync the disk cannot hold, refused before it began:
// how much it needs and how much the data folder's disk has left. ok is
// false for any other error.
func RoomText(err error) (t Text, ok bool) {
	var nr *store.NoRoomError
	if !errors.As(err, &nr) {
		return Text{}, false
	}
	return Text{Key: "sync.error.no_room", Data: map[string]any{
		"Need": Size(nr.Need), "Have": Size(nr.Have), "Folder": nr.Folder}}, true
}

// Size says a number of bytes as people read it on a disk: 1.2 GB, 350 MB.
func Size(n int64) string {
	const k = 1000 // as the system's own disk dialogs count
	switch {
	case n >= k*k*k:
		return fmt.Sprintf("%.1f GB", float64(n)/(k*k*k))
	case n >= k*k:
		return fmt.Sprintf("%.0f MB", float64(n)/(k*k))
	case n >= k:
		return fmt.Sprintf("%.0f KB", float64(n)/k)
	}
	return fmt.Sprintf("%d B", n)
}
