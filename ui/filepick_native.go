//go:build windows || darwin

package ui

import (
	"errors"

	"github.com/sqweek/dialog"
)

// hasNativeOpen: Windows and macOS admins get their system's own file
// dialog, with its path field, recent places and search.
const hasNativeOpen = true

// nativeOpen asks the system's dialog for an analytics export; "" when the
// admin cancelled. It blocks until the dialog closes: call it off the UI
// goroutine.
func nativeOpen() (string, error) {
	path, err := dialog.File().Title(T("sdk.pick.title")).Filter(T("sdk.pick.filter"), "csv", "txt", "xlsx").Load()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", nil
	}
	return path, err
}
