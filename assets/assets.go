// Package assets holds what the binaries embed: the CJK font subset, the
// translations and the snippets an engineer is given. It is plain Go so
// that tests and tools can read the same files the window shows.
package assets

import (
	"embed"
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
