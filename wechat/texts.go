package wechat

import (
	"sync"

	"oawizard/assets"
)

// The catalogue's words live in assets/translations/wechat.<locale>.json
// beside the wizard's, so a translator edits one kind of file and the
// protocol code names no step of the wizard.

var (
	textsOnce sync.Once
	texts     map[Lang]map[string]string
	textsErr  error
)

func loadTexts() {
	texts = map[Lang]map[string]string{}
	for _, l := range []Lang{LangZH, LangEN} {
		m, err := assets.Texts("wechat", string(l))
		if err != nil {
			textsErr = err
			return
		}
		texts[l] = m
	}
}

// text is key's words in lang. The files are embedded and their key sets
// tested, so a missing key is a build mistake; it shows as the key itself
// rather than as an empty sentence.
func text(lang Lang, key string) string {
	textsOnce.Do(loadTexts)
	if s, ok := texts[langOr(lang)][key]; ok {
		return s
	}
	return key
}
