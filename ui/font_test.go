package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font/sfnt"

	"oawizard/assets"
)

// Every character of every translation, symbols such as ✓ ✗ → ? … included,
// is in the bundled font: a machine without a CJK or symbol font would
// otherwise show boxes or �.
func TestBundledFontCoversEveryTranslation(t *testing.T) {
	// Fyne draws a character its theme's font lacks with its own bundled
	// font, which has Latin but no CJK: the two together must cover all.
	var fonts []*sfnt.Font
	for _, b := range [][]byte{assets.CJKFont, theme.DefaultTextFont().Content()} {
		f, err := sfnt.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		fonts = append(fonts, f)
	}
	var buf sfnt.Buffer
	covered := func(r rune) bool {
		for _, f := range fonts {
			if gi, err := f.GlyphIndex(&buf, r); err == nil && gi != 0 {
				return true
			}
		}
		return false
	}
	entries, err := assets.Translations.ReadDir("translations")
	if err != nil {
		t.Fatal(err)
	}
	missing := map[rune]string{}
	for _, e := range entries {
		b, err := assets.Translations.ReadFile("translations/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(e.Name(), err)
		}
		for k, v := range m {
			for _, r := range k + fmt.Sprint(v) {
				if unicode.IsControl(r) || unicode.IsSpace(r) {
					continue
				}
				if !covered(r) {
					missing[r] = e.Name() + " " + k
				}
			}
		}
	}
	var list []string
	for r, where := range missing {
		list = append(list, fmt.Sprintf("%c U+%04X (%s)", r, r, where))
	}
	if len(list) > 0 {
		t.Fatalf("%d characters are not in the bundled font:\n%s", len(list), strings.Join(list, "\n"))
	}
}
