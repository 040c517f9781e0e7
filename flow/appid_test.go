package flow

import (
	"errors"
	"testing"
)

func TestValidateAppID(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"wx0123456789abcdef", nil},
		{"", ErrAppIDEmpty},
		{"gh_0123456789ab", ErrAppIDPrefix},
		{"wx0123456789abcde", ErrAppIDLength},
		{"wx0123456789abcdef0", ErrAppIDLength},
		{"wx0123456789abcdeg", ErrAppIDChars},
		{"wx0123456789ABCDEF", ErrAppIDChars},
	}
	for _, c := range cases {
		if got := ValidateAppID(c.in); !errors.Is(got, c.want) {
			t.Errorf("ValidateAppID(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestNormalizeAppIDFromCopyPaste(t *testing.T) {
	for in, want := range map[string]string{
		"  wx0123456789abcdef ":           "wx0123456789abcdef",
		"AppID(小程序ID)：wx0123456789ABCDEF": "wx0123456789abcdef",
		"AppID: wx0123456789abcdef":       "wx0123456789abcdef",
		"\u3000“wx0123456789abcdef”":      "wx0123456789abcdef",
	} {
		if got := NormalizeAppID(in); got != want {
			t.Errorf("NormalizeAppID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidateAccounts(t *testing.T) {
	oa, mp := "wx0123456789abcdef", "wxfedcba9876543210"
	if err := ValidateAccounts(oa, []string{mp}); err != nil {
		t.Fatal(err)
	}
	if err := ValidateAccounts(oa, []string{oa}); !errors.Is(err, ErrAppIDSame) {
		t.Errorf("same appid: %v", err)
	}
	if err := ValidateAccounts(oa, []string{mp, mp}); !errors.Is(err, ErrAppIDRepeated) {
		t.Errorf("repeated: %v", err)
	}
	if err := ValidateAccounts(oa, []string{"wx12"}); !errors.Is(err, ErrAppIDLength) {
		t.Errorf("bad mp: %v", err)
	}
}

func TestConnectorURLMustBeHTTPSUnlessLoopback(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://connector.example.com": true, "http://127.0.0.1:8080": true, "http://localhost:1": true,
		"http://[::1]:9": true, "http://connector.example.com": false, "HTTP://10.0.0.5": false,
	} {
		if err := CheckConnectorURL(u); (err == nil) != ok {
			t.Errorf("%s: %v", u, err)
		}
	}
}
