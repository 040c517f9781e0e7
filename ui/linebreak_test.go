package ui

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// cells measures as a terminal does: a Chinese character or full-width
// mark is two cells, anything else one.
func cells(s string) float32 {
	var n float32
	for _, r := range s {
		if ideographic(r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func TestLinesBreakAsReadersExpect(t *testing.T) {
	cases := []struct {
		name, text string
		max        float32
		want       []string
		spaced     bool
	}{
		{"chinese between any characters", "没有一个粉丝带有统一标识", 10, []string{"没有一个粉", "丝带有统一", "标识"}, false},
		{"english at spaces", "the quick brown fox jumps", 10, []string{"the quick", "brown fox", "jumps"}, true},
		{"fits on one line", "短句", 10, []string{"短句"}, false},
		{"no line starts with a full-width comma", "一二三四，五六", 8, []string{"一二三", "四，五六"}, false},
		{"no line starts with a full stop", "一二三四。", 8, []string{"一二三", "四。"}, false},
		{"no line starts with a colon", "一二三四：五", 8, []string{"一二三", "四：五"}, false},
		{"no line starts with a closing bracket", "一二（三四）五", 10, []string{"一二（三", "四）五"}, false},
		{"no line ends with an opening bracket", "一二三（四五）", 8, []string{"一二三", "（四五）"}, false},
		{"no line ends with an opening quote", "一二三“四五”", 8, []string{"一二三", "“四五”"}, false},
		{"no line starts with a closing quote", "一二三“四”五", 9, []string{"一二三", "“四”五"}, false},
		{"no line starts with an ellipsis", "一二三四…", 8, []string{"一二三", "四…"}, false},
		{"ascii closing punctuation stays with the word", "word, next) end.", 6, []string{"word,", "next)", "end."}, false},
		{"ascii closing after chinese", "一二三四)五", 8, []string{"一二三", "四)五"}, false},
		{"ascii opening before chinese", "一二三(四五", 8, []string{"一二三", "(四五"}, false},
		{"latin word inside chinese is a unit", "一二unionid三", 10, []string{"一二", "unionid三"}, false},
		{"latin word then a colon", "一个粉丝带unionid：公众号", 18, []string{"一个粉丝带", "unionid：公众号"}, false},
		{"number is a unit", "共 18 位数字", 6, []string{"共 18", "位数字"}, false},
		{"host is a unit", "登录 open.weixin.qq.com 后", 20, []string{"登录", "open.weixin.qq.com", "后"}, false},
		{"indent kept", "✓ 一\n    二三", 20, []string{"✓ 一", "    二三"}, false},
		{"english breaks only at spaces", "keep 用户管理 and 账号服务 ticked", 17, []string{"keep 用户管理 and", "账号服务 ticked"}, true},
		{"chinese term in english stays whole", "add it to 白名单IP地址列表 on", 20, []string{"add it to", "白名单IP地址列表 on"}, true},
		{"host longer than a line is cut", "open.weixin.qq.com", 8, []string{"open.wei", "xin.qq.c", "om"}, false},
		{"menu path moves whole from a full line", "请在公众号后台 设置 → 基本配置 中找", 20, []string{"请在公众号后台", "设置 → 基本配置 中找"}, false},
		{"menu path breaks after an arrow on an empty line", "请在后台 设置 → 基本配置 中找", 20, []string{"请在后台 设置 →", "基本配置 中找"}, false},
		{"menu item stays whole", "一二三四五六 管理中心 → 公众号", 18, []string{"一二三四五六", "管理中心 → 公众号"}, false},
		{"menu item stays whole when the path breaks", "一二 管理中心 → 公众号", 10, []string{"一二", "管理中心 →", "公众号"}, false},
		{"menu path never starts a line with an arrow", "登录 open.weixin.qq.com → 管理中心 → 公众号", 26,
			[]string{"登录 open.weixin.qq.com →", "管理中心 → 公众号"}, false},
		{"mark after a menu path stays with its item", "一 A → B，二", 7, []string{"一 A →", "B，二"}, false},
		{"spaces kept between words", "? 未知  小程序", 20, []string{"? 未知  小程序"}, false},
		{"status keeps the line filled", "? 未知  小程序已完成微信认证", 20, []string{"? 未知  小程序已完成", "微信认证"}, false},
		{"short quotation kept whole", "一二三四点“下一步”仍", 16, []string{"一二三四点", "“下一步”仍"}, false},
		{"long quotation breaks", "一二“三四五六七八九十一二三四”", 16, []string{"一二“三四五六七", "八九十一二三四”"}, false},
		{"explicit newline", "一二\n三四", 10, []string{"一二", "三四"}, false},
		{"blank line kept", "一\n\n二", 10, []string{"一", "", "二"}, false},
		{"empty text", "", 10, []string{""}, false},
		{"narrower than one character", "一二", 1, []string{"一", "二"}, false},
		{"no width yet", "一二三 四", 0, []string{"一二三 四"}, false},
		{"mixed english sentence in chinese", "点“Check again”后再试", 12, []string{"点“Check", "again”后再试"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := wrapText(c.text, c.max, c.spaced, cells)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("wrapText(%q, %v)\n got %q\nwant %q", c.text, c.max, got, c.want)
			}
		})
	}
}

// Whatever the width, no line is wider than allowed unless it is one
// character, no text is lost, and the punctuation rules hold.
func TestLinesKeepEveryCharacterAtAnyWidth(t *testing.T) {
	text := "公众号没有绑定开放平台账号，因此粉丝没有 unionid。登录 open.weixin.qq.com → 管理中心 → 公众号 → 绑定公众号，把公众号绑定到小程序所在的开放平台账号（需要管理员扫码）。Then press “Check again”."
	// Below the widest unit a unit is cut by characters, marks and all.
	whole := widestUnit(text, false, cells)
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	for max := float32(1); max < 140; max++ {
		got := wrapText(text, max, false, cells)
		if squash(strings.Join(got, "")) != squash(text) {
			t.Fatalf("at %v text changed: %q", max, got)
		}
		for i, l := range got {
			if cells(l) > max && utf8.RuneCountInString(l) > 1 {
				t.Errorf("at %v line %q is too wide", max, l)
			}
			first, _ := utf8.DecodeRuneInString(l)
			last, _ := utf8.DecodeLastRuneInString(l)
			if i > 0 && strings.ContainsRune(noLineStart, first) && max >= whole {
				t.Errorf("at %v line %q starts with a closing mark", max, l)
			}
			if i < len(got)-1 && strings.ContainsRune(noLineEnd, last) && max >= whole {
				t.Errorf("at %v line %q ends with an opening mark", max, l)
			}
		}
	}
}

func TestWidestUnit(t *testing.T) {
	for text, want := range map[string]float32{
		"":                         0,
		"一二三":                      2,
		"一，二":                      4,
		"登录 open.weixin.qq.com 后台": 18,
		"a → b":                    3,
	} {
		if got := widestUnit(text, false, cells); got != want {
			t.Errorf("widestUnit(%q) = %v, want %v", text, got, want)
		}
	}
}

// Breaking a paragraph shapes about as much text as the paragraph has, not
// as much again for every character: each measure shapes the text it is
// given, and step 2's first frame waited 30 ms on candidate lines measured
// whole, one character longer each time.
func TestBreakingMeasuresLittleMoreThanTheText(t *testing.T) {
	p := strings.Repeat("用真实数据验证：从分析平台导出“已识别用户”，也可以直接拖进窗口。", 6)
	var shaped int
	measure := func(s string) float32 {
		shaped += utf8.RuneCountInString(s)
		return cells(s)
	}
	lines := wrapText(p, 40, false, measure)
	if len(lines) < 10 {
		t.Fatalf("%d lines: the paragraph should need many", len(lines))
	}
	// The paragraph once whole, each character once, and a few lines near
	// the width measured whole.
	if n := utf8.RuneCountInString(p); shaped > 4*n {
		t.Errorf("breaking %d characters into %d lines shaped %d characters", n, len(lines), shaped)
	}
}
