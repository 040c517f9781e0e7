package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// Public vectors from reference §8.3.
const (
	keyA  = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	encA1 = "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
	msgA2 = `<xml><ToUserName><![CDATA[oia2Tj我是中文jewbmiOUlr6X-1crbLOvLw]]></ToUserName><FromUserName><![CDATA[gh_7f083739789a]]></FromUserName><CreateTime>1407743423</CreateTime><MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[eYJ1MbwPRJtOvIEabaxHs7TX2D-HV71s79GUxqdUkjm6Gs2Ed1KF3ulAOA9H1xG0]]></MediaId><Title><![CDATA[testCallBackReplyVideo]]></Title><Description><![CDATA[testCallBackReplyVideo]]></Description></Video></xml>`
	encA2 = "jn1L23DB+6ELqJ+6bruv23M2GmYfkv0xBh2h+XTBOKVKcgDFHle6gqcZ1cZrk3e1qjPQ1F4RsLWzQRG9udbKWesxlkupqcEcW7ZQweImX9+wLMa0GaUzpkycA8+IamDBxn5loLgZpnS7fVAbExOkK5DYHBmv5tptA9tklE/fTIILHR8HLXa5nQvFb3tYPKAlHF3rtTeayNf0QuM+UW/wM9enGIDIJHF7CLHiDNAYxr+r+OrJCmPQyTy8cVWlu9iSvOHPT/77bZqJucQHQ04sq7KZI27OcqpQNSto2OdHCoTccjggX5Z9Mma0nMJBU+jLKJ38YB1fBIz+vBzsYjrTmFQ44YfeEuZ+xRTQwr92vhA9OxchWVINGC50qE/6lmkwWTwGX9wtQpsJKhP+oS7rvTY8+VdzETdfakjkwQ5/Xka042OlUb1/slTwo4RscuQ+RdxSGvDahxAJ6+EAjLt9d8igHngxIbf6YyqqROxuxqIeIch3CssH/LqRs+iAcILvApYZckqmA7FNERspKA5f8GoJ9sv8xmGvZ9Yrf57cExWtnX8aCMMaBropU/1k+hKP5LVdzbWCG0hGwx/dQudYR/eXp3P0XxjlFiy+9DMlaFExWUZQDajPkdPrEeOwofJb"
	encC  = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
	msgC  = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>"
	keyB  = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	encB  = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)

func TestVectorAEncryptsExactly(t *testing.T) {
	for name, v := range map[string]struct{ msg, enc string }{"A1": {"我是中文abcd123", encA1}, "A2": {msgA2, encA2}} {
		mc, err := NewMsgCrypt("pamtest", keyA, "wxb11529c136998cb6")
		if err != nil {
			t.Fatal(err)
		}
		mc.Rand = strings.NewReader("aaaabbbbccccdddd")
		enc, sig, err := mc.Encrypt([]byte(v.msg), "1409304348", "xxxxxx")
		if err != nil {
			t.Fatal(err)
		}
		if enc != v.enc {
			t.Fatalf("%s: ciphertext differs:\n got %s\nwant %s", name, enc, v.enc)
		}
		plain, err := mc.Decrypt(sig, "1409304348", "xxxxxx", enc)
		if err != nil || string(plain) != v.msg {
			t.Fatalf("%s round trip: %q %v", name, plain, err)
		}
	}
}

func TestVectorBVerifiesURL(t *testing.T) {
	mc, err := NewMsgCrypt("QDG6eK", keyB, "wx5823bf96d3bd56c7")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := mc.Decrypt("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", encB)
	if err != nil || string(plain) != "1616140317555161061" {
		t.Fatalf("%q %v", plain, err)
	}
}

func TestVectorCDecryptsWithNewlines(t *testing.T) {
	mc, _ := NewMsgCrypt("spamtest", keyA, "wx2c2769f8efd9abc2")
	plain, err := mc.Decrypt("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", encC)
	if err != nil || string(plain) != msgC {
		t.Fatalf("%q %v", plain, err)
	}
	// The vector's stated internals: random prefix, length 280, pad 2.
	raw := rawDecrypt(t, keyA, encC)
	if string(raw[:16]) != "89465c840c5f116f" || binary.BigEndian.Uint32(raw[16:20]) != 280 || raw[len(raw)-1] != 2 {
		t.Fatalf("internals: random %q len %d pad %d", raw[:16], binary.BigEndian.Uint32(raw[16:20]), raw[len(raw)-1])
	}
}

func TestPlainSignatureVectors(t *testing.T) {
	if got := PlainSignature("AAAAA", "1714036504", "1514711492"); got != "f464b24fc39322e44b38aa78f5edd27bd1441696" {
		t.Fatal(got)
	}
	if got := PlainSignature("AAAAA", "1714037059", "486452656"); got != "899cf89e464efb63f54ddac96b0a0a235f53aa78" {
		t.Fatal(got)
	}
}

func rawDecrypt(t *testing.T, key, enc string) []byte {
	t.Helper()
	k, _ := base64.StdEncoding.DecodeString(key + "=")
	ct, _ := base64.StdEncoding.DecodeString(enc)
	block, _ := aes.NewCipher(k)
	cipher.NewCBCDecrypter(block, k[:16]).CryptBlocks(ct, ct)
	return ct
}

// rawEncrypt encrypts an arbitrary plaintext with the raw key, to build
// messages the production code would never write.
func rawEncrypt(t *testing.T, key string, plain []byte) string {
	t.Helper()
	k, _ := base64.StdEncoding.DecodeString(key + "=")
	block, _ := aes.NewCipher(k)
	buf := bytes.Clone(plain)
	cipher.NewCBCEncrypter(block, k[:16]).CryptBlocks(buf, buf)
	return base64.StdEncoding.EncodeToString(buf)
}

func TestTamperingIsDetectedDistinctly(t *testing.T) {
	mc, _ := NewMsgCrypt("tok", keyA, "wxb11529c136998cb6")
	enc, sig, _ := mc.Encrypt([]byte("<xml>hello</xml>"), "1", "n")
	signed := func(e string) (string, string) { return Signature("tok", "1", "n", e), e }
	flip := func(e string) string {
		b, _ := base64.StdEncoding.DecodeString(e)
		b[len(b)-17] ^= 0x40 // garbles the last block's padding
		return base64.StdEncoding.EncodeToString(b)
	}
	padded := func(pad byte) string {
		p := make([]byte, 64)
		binary.BigEndian.PutUint32(p[16:20], 4)
		p[63] = pad
		return rawEncrypt(t, keyA, p)
	}
	cases := []struct {
		name string
		sig  string
		enc  string
		want error
	}{
		{"wrong signature", strings.Repeat("0", 40), enc, ErrBadSignature},
		{"bad base64", "", "!!!not base64!!!", ErrBadBase64},
		{"truncated", "", enc[:len(enc)-8] + "AAAA", ErrBadLength},
		{"flipped byte", "", flip(enc), ErrBadPadding},
		{"pad 0", "", padded(0), ErrBadPadding},
		{"pad 33", "", padded(33), ErrBadPadding},
		{"length past the end", "", func() string {
			p := make([]byte, 32)
			binary.BigEndian.PutUint32(p[16:20], 1000)
			p[31] = 1
			return rawEncrypt(t, keyA, p)
		}(), ErrBadLength},
	}
	for _, c := range cases {
		s := c.sig
		if s == "" {
			s, _ = signed(c.enc)
		}
		if _, err := mc.Decrypt(s, "1", "n", c.enc); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := mc.Decrypt(sig, "1", "n", enc); err != nil {
		t.Fatal(err)
	}
	wrongToken, _ := NewMsgCrypt("other", keyA, "wxb11529c136998cb6")
	if _, err := wrongToken.Decrypt(sig, "1", "n", enc); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong token: %v", err)
	}
	otherApp, _ := NewMsgCrypt("tok", keyA, "wx0000000000000000")
	if _, err := otherApp.Decrypt(sig, "1", "n", enc); !errors.Is(err, ErrAppIDMismatch) {
		t.Fatalf("wrong appid: %v", err)
	}
	for _, k := range []string{"", "short", keyA + "X", strings.Repeat("*", 43)} {
		if _, err := NewMsgCrypt("t", k, ""); !errors.Is(err, ErrBadKey) {
			t.Errorf("key %q: %v", k, err)
		}
	}
	// Errors never carry the key or the message.
	for _, e := range []error{ErrBadSignature, ErrBadKey, ErrBadBase64, ErrBadPadding, ErrBadLength, ErrAppIDMismatch} {
		if strings.Contains(e.Error(), keyA) || strings.Contains(e.Error(), "hello") {
			t.Fatal("an error leaks a secret")
		}
	}
}

func TestEmptyAppIDSkipsTheTailCheck(t *testing.T) {
	mc, _ := NewMsgCrypt("spamtest", keyA, "")
	if _, err := mc.Decrypt("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", encC); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkDecrypt(b *testing.B) {
	mc, _ := NewMsgCrypt("tok", keyA, "wxb11529c136998cb6")
	enc, sig, _ := mc.Encrypt(bytes.Repeat([]byte("x"), 1024), "1", "n")
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := mc.Decrypt(sig, "1", "n", enc); err != nil {
			b.Fatal(err)
		}
	}
}
