// Package assets holds what the binaries embed: the CJK font subset, the
// translations and the snippets an engineer is given. It is plain Go so
// that tests and tools can read the same files the window shows.
package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
)

//go:embed fonts/cjk-subset.ttf
var CJKFont []byte

// Icon is the application icon (source: icon/icon.svg).
//
//go:embed icon/icon.png
var Icon []byte

// Translations are assets/translations/<area>.<locale>.json, flat objects of
// message key → text (go-i18n templates allowed), for zh-Hans and en.
//
//go:embed translations/*.json
var Translations embed.FS

//go:embed snippets
var Snippets embed.FS

// Images are the "where to click" sketches of the WeChat back office shown
// with remedies (sources in images/src, drawn by scripts/make-remedy-images.py).
//
//go:embed images/*.png
var Images embed.FS

// TranslationFiles lists the translation files of a locale.
func TranslationFiles(locale string) ([]string, error) {
	return fs.Glob(Translations, "translations/*."+locale+".json")
}

// Texts is one area's translation file for a locale as key → text, for the
// parts that render their own words (the WeChat catalogue, the staff
// console) without Fyne's merged catalogue.
func Texts(area, locale string) (map[string]string, error) {
	b, err := Translations.ReadFile("translations/" + area + "." + locale + ".json")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("assets: %s.%s.json: %w", area, locale, err)
	}
	return m, nil
}
