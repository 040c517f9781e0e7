package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"oawizard/assets"
	"oawizard/flow"
)

// Languages the wizard speaks.
const (
	LangZH = "zh-Hans"
	LangEN = "en"
)

// current is the language in use; Fyne's lang package holds the texts.
var current = LangZH

// SetupLanguage chooses the language (an explicit choice from settings,
// else the system's) and registers its texts with Fyne's lang package.
// Fyne picks a translation by the system locale and offers no setter, so the
// chosen texts are registered under every tag the system locale could
// resolve to; a change therefore applies at the next start.
func SetupLanguage(choice string) (string, error) {
	l := choice
	if l != LangZH && l != LangEN {
		l = systemLanguage()
	}
	current = l
	data, err := mergedTranslations(l)
	if err != nil {
		return l, err
	}
	tags := []string{"en", "zh", "zh-Hans", "zh-CN", "zh-Hant", "zh-TW", "zh-HK"}
	if sys := lang.SystemLocale().String(); sys != "" {
		tags = append(tags, sys)
	}
	for _, t := range tags {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(t)); err != nil {
			return l, err
		}
	}
	return l, nil
}

// systemLanguage is English only for an English system locale; Chinese,
// the C/POSIX locale of servers and CI, and everything else get Chinese,
// the product's first language.
func systemLanguage() string {
	for _, v := range []string{os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG")} {
		v = strings.ToLower(v)
		if v == "" || strings.HasPrefix(v, "c.") || v == "c" || v == "posix" {
			continue
		}
		if strings.HasPrefix(v, "en") {
			return LangEN
		}
		return LangZH
	}
	if strings.HasPrefix(strings.ToLower(lang.SystemLocale().LanguageString()), "en") && os.Getenv("LANG") == "" {
		return LangEN
	}
	return LangZH
}

// mergedTranslations joins every <area>.<locale>.json into one object.
// fyne.<locale>.json are Fyne's own strings (Open, Cancel, Yes/No, the file
// dialog), copied from Fyne's module: registered with the wizard's under
// the system locale, they follow the language chosen in the wizard.
func mergedTranslations(locale string) ([]byte, error) {
	files, err := assets.TranslationFiles(locale)
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("ui: no translations for %s", locale)
	}
	all := map[string]json.RawMessage{} // Fyne's plurals are objects
	for _, f := range files {
		b, err := assets.Translations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		m := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("ui: %s: %w", f, err)
		}
		for k, v := range m {
			all[k] = v
		}
	}
	if err := addGlosses(all); err != nil {
		return nil, err
	}
	return json.Marshal(all)
}

// glossPrefix keys the gloss of a name in WeChat's own back offices, which
// are Chinese only: an English text keeps the name the admin will see on
// screen and says what it means beside it. A Chinese gloss is the name
// itself, and adds nothing.
const glossPrefix = "gloss."

// wechatName is a run of Chinese (with the Latin letters written into it,
// as in IP白名单) that may be one of WeChat's menu or button names.
var wechatName = regexp.MustCompile(`[A-Za-z]*\p{Han}[\p{Han}A-Za-z]*`)

// addGlosses writes each glossed name's meaning beside it in every text,
// once: a name already followed by a parenthesis keeps what it has, and a
// name that is itself the parenthesis, "released to all (全网发布)",
// glosses the words before it.
func addGlosses(all map[string]json.RawMessage) error {
	gloss := map[string]string{}
	for k, v := range all {
		name, ok := strings.CutPrefix(k, glossPrefix)
		var g string
		if ok && json.Unmarshal(v, &g) == nil && g != name {
			gloss[name] = g
		}
	}
	if len(gloss) == 0 {
		return nil
	}
	for k, v := range all {
		var s string
		if strings.HasPrefix(k, glossPrefix) || json.Unmarshal(v, &s) != nil {
			continue // Fyne's plural forms have no WeChat names
		}
		out := glossed(s, gloss)
		if out == s {
			continue
		}
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		all[k] = b
	}
	return nil
}

func glossed(s string, gloss map[string]string) string {
	var b strings.Builder
	last := 0
	for _, m := range wechatName.FindAllStringIndex(s, -1) {
		g, ok := gloss[s[m[0]:m[1]]]
		if !ok || strings.HasPrefix(s[m[1]:], " (") || strings.HasSuffix(s[:m[0]], "(") && strings.HasPrefix(s[m[1]:], ")") {
			continue
		}
		b.WriteString(s[last:m[1]])
		b.WriteString(" (" + g + ")")
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// T is a translated text; the empty key, for a part a check may leave out
// (its note, its remedy), is the empty text.
func T(key string) string {
	if key == "" {
		return ""
	}
	return lang.L(key)
}

// Tf is a translated template with named values.
func Tf(key string, data map[string]any) string { return lang.L(key, data) }

// Lang is the language in use.
func Lang() string { return current }

// sentences runs sentences on as each language writes them: nothing after
// full-width Chinese punctuation (。：）…), one space after anything else.
func sentences(parts ...string) string {
	var b strings.Builder
	for _, s := range parts {
		if s == "" {
			continue
		}
		if b.Len() > 0 && !strings.ContainsRune("。！？；：，）”", lastRune(b.String())) {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// statusWord is a verdict in a word.
func statusWord(s string) string {
	switch s {
	case flow.StatusPass:
		return T("status.pass")
	case flow.StatusWarning:
		return T("status.warning")
	case flow.StatusFail:
		return T("status.fail")
	}
	return T("status.unknown")
}

// textIn is key's text in locale l, whatever language the window speaks
// now: what is said about a new language is said in it.
func textIn(l, key string) string {
	tf, err := textsFor(l)
	if err != nil {
		noteError(err)
		return T(key)
	}
	return tf(key, nil)
}
