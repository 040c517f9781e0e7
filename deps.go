//go:build deps

// Package oawizard pins the modules the packages below it are about to use,
// so that go.sum is complete before they exist. Removed once all are imported.
package oawizard

import (
	_ "fyne.io/fyne/v2/app"
	_ "fyne.io/fyne/v2/test"
	_ "fyne.io/fyne/v2/widget"
	_ "github.com/skip2/go-qrcode"
	_ "github.com/xuri/excelize/v2"
	_ "github.com/zalando/go-keyring"
	_ "golang.org/x/sync/singleflight"
	_ "golang.org/x/text/encoding/simplifiedchinese"
	_ "modernc.org/sqlite"
)
