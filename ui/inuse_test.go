package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// A second launch says in the chosen language that the wizard is open
// already and on which folder, and its one button closes the message.
func TestInUseSaysSoInEachLanguage(t *testing.T) {
	const folder = "/home/admin/.config/oawizard"
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			if err := onUI(func() error { _, err := SetupLanguage(l); return err }); err != nil {
				t.Fatal(err)
			}
			closed := false
			var shown strings.Builder
			var button *widget.Button
			onUIDo(func() {
				eachObject(inUseView(folder, func() { closed = true }), func(o fyne.CanvasObject) {
					switch x := o.(type) {
					case *textBlock:
						shown.WriteString(x.Text + "\n")
					case *widget.Button:
						button = x
					case *mainButton:
						button = &x.Button
					}
				})
			})
			all := shown.String()
			for _, key := range []string{"inuse.title", "inuse.body"} {
				want := Tf(key, map[string]any{"Folder": folder})
				if want == key || !strings.Contains(all, want) {
					t.Errorf("the message shows %q, not the catalogue's %s %q", all, key, want)
				}
			}
			if !strings.Contains(all, folder) {
				t.Errorf("the message does not name the folder: %q", all)
			}
			if button == nil || button.Text != T("inuse.close") {
				t.Fatalf("button %v", button)
			}
			test.Tap(button)
			if !closed {
				t.Error("the button does not close the message")
			}
		})
	}
}
