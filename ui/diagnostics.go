package ui

import (
	"encoding/json"
	"strings"
	"sync"
	"text/template"
	"time"

	"oawizard/flow"
)

// The diagnostics name the last failures the admin met, with their codes
// for staff; errorText notes each one as it is put into words.

// keptErrors is how many recent failures the diagnostics list.
const keptErrors = 10

var recent struct {
	mu   sync.Mutex
	errs []flow.DiagError
}

// noteError keeps a failure for the diagnostics; the same failure again
// right after (a retry, a redraw) is kept once.
func noteError(err error) {
	if err == nil {
		return
	}
	e := flow.DiagError{At: time.Now(), Words: describeError(err), Code: flow.ErrorCode(err)}
	recent.mu.Lock()
	defer recent.mu.Unlock()
	if n := len(recent.errs); n > 0 && recent.errs[n-1].Code == e.Code && recent.errs[n-1].Words == e.Words {
		recent.errs[n-1].At = e.At
		return
	}
	recent.errs = append(recent.errs, e)
	if len(recent.errs) > keptErrors {
		recent.errs = recent.errs[len(recent.errs)-keptErrors:]
	}
}

func recentErrors() []flow.DiagError {
	recent.mu.Lock()
	defer recent.mu.Unlock()
	return append([]flow.DiagError(nil), recent.errs...)
}

// catalogue translates in both languages: staff read the console in
// theirs, whichever the admin chose.
func catalogue() (flow.Catalogue, error) {
	cat := flow.Catalogue{}
	for _, l := range []string{LangZH, LangEN} {
		tf, err := textsFor(l)
		if err != nil {
			return nil, err
		}
		cat[l] = tf
	}
	return cat, nil
}

// textsFor renders locale's texts as Fyne's lang package does: Go
// templates with named values; an unknown key is itself.
func textsFor(locale string) (flow.Texts, error) {
	data, err := mergedTranslations(locale)
	if err != nil {
		return nil, err
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	tmpls := map[string]*template.Template{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil {
			continue // Fyne's plural forms: not used in what is published
		}
		t, err := template.New(k).Option("missingkey=zero").Parse(s)
		if err != nil {
			return nil, err
		}
		tmpls[k] = t
	}
	return func(key string, data map[string]any) string {
		t, ok := tmpls[key]
		if !ok {
			return key
		}
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			return key
		}
		return b.String()
	}, nil
}
