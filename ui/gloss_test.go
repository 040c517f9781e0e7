package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// In English, WeChat's Chinese menu names stay as the admin will see them,
// with their meaning beside them; the Chinese texts stay as they are.
func TestEnglishKeepsWeChatMenuNamesWithAGloss(t *testing.T) {
	if err := onUI(func() error { _, err := SetupLanguage(LangEN); return err }); err != nil {
		t.Fatal(err)
	}
	want := "设置与开发 (Settings & Development) → 基本配置 (Basic Configuration)"
	if got := T("accounts.where"); !strings.Contains(got, want) {
		t.Errorf("accounts.where reads %q", got)
	}
	data, err := mergedTranslations(LangEN)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]json.RawMessage{}
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	// Every Chinese name in an English text is followed by its meaning;
	// the language switch's own name is the one exception.
	unglossed := regexp.MustCompile(`[A-Za-z]*\p{Han}[\p{Han}A-Za-z]*`)
	for k, v := range all {
		var s string
		if strings.HasPrefix(k, glossPrefix) || json.Unmarshal(v, &s) != nil || k == "staff.other_language" {
			continue
		}
		for _, m := range unglossed.FindAllStringIndex(s, -1) {
			inParens := strings.HasSuffix(s[:m[0]], "(") && strings.HasPrefix(s[m[1]:], ")")
			if !strings.HasPrefix(s[m[1]:], " (") && !inParens {
				t.Errorf("%s: %q has no gloss in %q", k, s[m[0]:m[1]], s)
			}
		}
		if strings.Count(s, "(Settings & Development) (") > 0 {
			t.Errorf("%s is glossed twice: %q", k, s)
		}
	}
	if err := onUI(func() error { _, err := SetupLanguage(LangZH); return err }); err != nil {
		t.Fatal(err)
	}
	if got := T("accounts.where"); strings.Contains(got, "(Settings") || !strings.Contains(got, "设置与开发") {
		t.Errorf("the Chinese text changed: %q", got)
	}
}

// textsIn is every text drawn inside o, widgets' parts included.
func textsIn(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.RichText:
			out = append(out, x.String())
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
			return
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// The notice that a new language applies at the next start is in the new
// language: the admin who chose it may not read the old one.
func TestLanguageChangedNoticeIsInTheNewLanguage(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	var sel *widget.Select
	onUIDo(func() {
		walkObjects(a.win.Content(), func(o fyne.CanvasObject) {
			if s, ok := o.(*widget.Select); ok && len(s.Options) == 2 && s.Options[1] == "English" {
				sel = s
			}
		})
	})
	if sel == nil {
		t.Fatal("no language switch")
	}
	onUIDo(func() { sel.SetSelected("English") })
	shown := strings.Join(onUI(func() []string { return textsIn(a.win.Canvas().Overlays().Top()) }), "|")
	en, err := textsFor(LangEN)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"lang.changed.title", "lang.changed.body"} {
		if !strings.Contains(shown, en(k, nil)) {
			t.Errorf("the notice shows %q, not %q", shown, en(k, nil))
		}
	}
	if T("lang.changed.title") == en("lang.changed.title", nil) {
		t.Fatal("the window already speaks English: the test proves nothing")
	}
}

// jargon is what an admin should never have to decode: a byte-order mark,
// a bare "changed", a field name set equal to a value, a bare ratio.
var jargon = regexp.MustCompile(`BOM|有变化|\(changed\)|[a-z]+_[a-z_]+ ?= ?|\}\}/\{\{`)

func TestTheAdminsWordsHaveNoJargon(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		data, err := mergedTranslations(l)
		if err != nil {
			t.Fatal(err)
		}
		all := map[string]json.RawMessage{}
		if err := json.Unmarshal(data, &all); err != nil {
			t.Fatal(err)
		}
		for k, v := range all {
			var s string
			if json.Unmarshal(v, &s) != nil || strings.HasPrefix(k, "staff.") {
				continue // the console's words are for staff
			}
			if m := jargon.FindString(s); m != "" {
				t.Errorf("%s %s: %q says %q", l, k, s, m)
			}
		}
	}
}

// Each back-office sketch has a picture in each language, and the window
// shows the one in its own.
func TestSketchesAreInTheChosenLanguage(t *testing.T) {
	defer onUIDo(func() { SetupLanguage(LangZH) })
	for _, name := range []string{"appid", "bind", "principal", "verify"} {
		var seen [2]fyne.Resource
		for i, l := range []string{LangZH, LangEN} {
			if err := onUI(func() error { _, err := SetupLanguage(l); return err }); err != nil {
				t.Fatal(err)
			}
			if seen[i] = sketch(name); seen[i] == nil {
				t.Fatalf("%s has no %s picture", name, l)
			}
		}
		if string(seen[0].Content()) == string(seen[1].Content()) {
			t.Errorf("%s: the English picture is the Chinese one", name)
		}
	}
}

// Fyne's own file dialog speaks the wizard's language: its labels come
// from the catalogue's fyne.<locale>.json. Its places (Home, Computer) are
// Fyne's own, not translated by it.
func TestFileDialogSpeaksChinese(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	onUIDo((&sdkPage{a: a}).pickInWindow)
	shown := strings.Join(onUI(func() []string { return textsIn(a.win.Canvas().Overlays().Top()) }), "|")
	for _, want := range []string{"打开 文件", "取消", "(父目录)"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the file dialog lacks %q: %s", want, shown)
		}
	}
	for _, english := range []string{"Cancel", "Show Hidden Files", "Open File"} {
		if strings.Contains(shown, english) {
			t.Errorf("the file dialog says %q in the Chinese wizard", english)
		}
	}
}
