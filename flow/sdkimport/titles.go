package sdkimport

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/width"
)

// titleForms are the column titles accepted for the two ids, written as
// exports and hand edits spell them. Detection compares normalised titles
// (see normaliseTitle), so each form also stands for its variants in case,
// width, spacing and bracketed notes.
var titleForms = []struct{ Title, Column string }{
	{"openid", "openid"},
	{"OpenID", "openid"},
	{"open_id", "openid"},
	{"Open-ID", "openid"},
	{"微信OpenID", "openid"},
	{"用户openid", "openid"},
	{"wx_openid", "openid"},
	{"ＯｐｅｎＩＤ", "openid"},
	{"openid(小程序)", "openid"},
	{"openid（小程序）", "openid"},
	{"小程序openid", "openid"},
	{"mp_openid", "openid"},
	{"mini_openid", "openid"},
	{"=\"openid\"", "openid"},
	{"unionid", "unionid"},
	{"UnionID", "unionid"},
	{"union_id", "unionid"},
	{"微信UnionID", "unionid"},
	{"用户unionid", "unionid"},
	{"ＵｎｉｏｎＩＤ", "unionid"},
	{"unionid（开放平台）", "unionid"},
	{"unionid (开放平台)", "unionid"},
	{"开放平台UnionID", "unionid"},
	{"开放平台 unionid", "unionid"},
	{"微信开放平台unionid", "unionid"},
	{"開放平台UnionID", "unionid"},
	{"=\"unionid\"", "unionid"},
}

// titlePrefixes are dropped from the front of a title, repeatedly, so
// 微信开放平台UnionID is unionid.
var titlePrefixes = []string{"微信", "用户", "用戶", "开放平台", "開放平台", "小程序", "wechat", "weixin", "wx", "user", "mp", "mini"}

// notes are bracketed remarks after or before a title, in half- or
// full-width brackets (full width is folded first).
var notes = regexp.MustCompile(`[(\[【][^)\]】]*[)\]】]`)

// normaliseTitle folds width and case and drops spaces, separators, an
// Excel ="…" wrapper, bracketed notes and the prefixes.
func normaliseTitle(h string) string {
	h = string(trimCell([]byte(width.Fold.String(strings.TrimSpace(h)))))
	h = strings.ToLower(notes.ReplaceAllString(h, ""))
	h = strings.NewReplacer(" ", "", "_", "", "-", "", ".", "", ":", "").Replace(h)
	for trimmed := true; trimmed; {
		trimmed = false
		for _, p := range titlePrefixes {
			if strings.HasPrefix(h, p) && len(h) > len(p) {
				h, trimmed = h[len(p):], true
			}
		}
	}
	return h
}

// titles maps each normalised form onto its column.
var titles = func() map[string]string {
	m := map[string]string{}
	for _, f := range titleForms {
		m[normaliseTitle(f.Title)] = f.Column
	}
	return m
}()

// detectHeader finds the id columns in a title row.
func detectHeader(rec []string) (openCol, unionCol int, ok bool) {
	openCol, unionCol = -1, -1
	for i, c := range rec {
		if len(c) > 64 {
			continue
		}
		column, known := titles[normaliseTitle(c)]
		if !known {
			column = titles[normaliseTitle(unMojibake(c))]
		}
		switch column {
		case "openid":
			if openCol < 0 {
				openCol = i
			}
		case "unionid":
			if unionCol < 0 {
				unionCol = i
			}
		}
	}
	return openCol, unionCol, openCol >= 0
}

// cp1252 maps the characters Windows-1252 gives bytes 0x80–0x9F back to
// those bytes.
var cp1252 = func() map[rune]byte {
	m := map[rune]byte{}
	for b := 0x80; b <= 0x9F; b++ {
		if r := charmap.Windows1252.DecodeByte(byte(b)); r != utf8.RuneError {
			m[r] = byte(b)
		}
	}
	return m
}()

// unMojibake undoes what opening a UTF-8 export as Windows-1252 and saving
// it again does to a title ("unionid（开放平台）" becomes
// "unionidï¼ˆå¼€æ”¾å¹³å°ï¼‰"), as a spreadsheet on a Western system does
// to a file without a BOM. Bytes Windows-1252 leaves undefined come back as
// C1 controls (Excel) or private-use characters U+F180–U+F19F
// (LibreOffice). A title that is not such text is returned as it is.
func unMojibake(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch c, ok := cp1252[r]; {
		case ok:
			b = append(b, c)
		case r < 0x100:
			b = append(b, byte(r))
		case 0xF180 <= r && r <= 0xF19F:
			b = append(b, byte(r-0xF100))
		default:
			return s
		}
	}
	if !utf8.Valid(b) {
		return s
	}
	return string(b)
}
