package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"text/template"

	"oawizard/assets"
	"oawizard/flow/sdkimport"
	"oawizard/flow/verdict"
)

// catalogue renders the shipped translations of one locale.
func catalogue(t *testing.T, locale string) Texts {
	t.Helper()
	words := map[string]string{}
	files, err := fs.Glob(assets.Translations, "translations/*."+locale+".json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s translations: %v", locale, err)
	}
	for _, f := range files {
		var area map[string]any // Fyne's own file nests plural forms
		b, err := assets.Translations.ReadFile(f)
		if err == nil {
			err = json.Unmarshal(b, &area)
		}
		if err != nil {
			t.Fatal(f, err)
		}
		for k, v := range area {
			if s, ok := v.(string); ok {
				words[k] = s
			}
		}
	}
	return func(key string, data map[string]any) string {
		var out strings.Builder
		if err := template.Must(template.New(key).Parse(words[key])).Execute(&out, data); err != nil {
			t.Fatal(key, err)
		}
		return out.String()
	}
}

// Step 2's amber badge says its share as a percent beside the share it
// needs, in both languages, and carries it as a number for the JSON.
func TestAmberSDKBadgeSaysItsShare(t *testing.T) {
	ctx := context.Background()
	w, _, _ := newTestWizard(t)
	var export strings.Builder
	export.WriteString("openid,unionid\n")
	for i := range 1000 {
		union := ""
		if i%1000 < 835 {
			union = fmt.Sprintf("u%027d", i)
		}
		fmt.Fprintf(&export, "o%027d,%s\n", i, union)
	}
	if _, err := w.ImportSDK(ctx, strings.NewReader(export.String()), "x.csv", int64(export.Len()), sdkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := w.Check(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var c Check
	for _, x := range res.Checks {
		if x.ID == verdict.SDKUnionID {
			c = x
		}
	}
	if c.Status != verdict.Warning || c.SharePercent == nil || *c.SharePercent != 83.5 {
		t.Fatalf("unionid badge %+v", c)
	}
	for locale, want := range map[string]string{
		"zh-Hans": "83 % 的已识别用户带有效 unionid（需 ≥ 90 %）：带 openid 的 1,000 行中 835 行",
		"en":      "83 % of identified users carry a valid unionid (90 % needed): 835 of the 1,000 rows with an openid",
	} {
		if got := EvidenceText(c, catalogue(t, locale)); got != want {
			t.Errorf("%s: %q, want %q", locale, got, want)
		}
	}
	// A share above zero never reads as none.
	tiny := 0.02
	c.SharePercent = &tiny
	if got := EvidenceText(c, catalogue(t, "en")); !strings.HasPrefix(got, "< 1 % of identified users") {
		t.Errorf("a share of 0.02 %% reads %q", got)
	}
}
