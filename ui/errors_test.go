package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"
)

// An error the catalogue does not know is shown as one plain sentence in
// the chosen language; the raw text waits behind the staff's toggle.
func TestUnknownErrorsShowNoRawText(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		SetupLanguage(l)
		err := errors.New("wechat: unexpected HTTP status 403")
		if got := errorText(err); got != T("error.unknown") || strings.Contains(got, "403") {
			t.Errorf("%s: the admin reads %q", l, got)
		}
		acc, ok := staffDetails(err).(*widget.Accordion)
		if !ok || len(acc.Items) != 1 || acc.Items[0].Open || !strings.Contains(acc.Items[0].Detail.(*widget.Label).Text, "403") {
			t.Errorf("%s: the raw text is not behind a closed toggle", l)
		}
	}
	SetupLanguage(LangZH)
}
