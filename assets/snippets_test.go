package assets

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// Since December 2017 snsapi_base gives no unionid for visitors who neither
// follow the Official Account nor authorized before; the H5 snippet asks
// for snsapi_userinfo, and step 2's remedy for a missing unionid says so in
// both languages.
func TestH5SnippetAndRemedyAskForAScopeThatYieldsUnionID(t *testing.T) {
	b, err := Snippets.ReadFile("snippets/h5.js")
	if err != nil {
		t.Fatal(err)
	}
	scopes := regexp.MustCompile(`scope=(\w+)`).FindAllStringSubmatch(string(b), -1)
	if len(scopes) == 0 {
		t.Fatal("the snippet names no OAuth scope")
	}
	for _, m := range scopes {
		if m[1] != "snsapi_userinfo" {
			t.Errorf("the snippet's link asks for %s", m[1])
		}
	}
	for _, locale := range []string{"zh-Hans", "en"} {
		raw, err := Translations.ReadFile("translations/checks." + locale + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"remedy.sdk_unionid", "check.sdk_unionid.zero"} {
			if !strings.Contains(m[k], "snsapi_base") || !strings.Contains(m[k], "snsapi_userinfo") {
				t.Errorf("%s %s: %q", locale, k, m[k])
			}
		}
	}
}
