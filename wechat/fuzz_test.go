package wechat

import (
	"bytes"
	"testing"
)

func FuzzDecrypt(f *testing.F) {
	f.Add("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", encC)
	f.Add("", "", "", encA1)
	f.Add("x", "1", "2", "====")
	mc, _ := NewMsgCrypt("spamtest", keyA, "")
	f.Fuzz(func(t *testing.T, sig, ts, nonce, enc string) {
		// With the right signature the fuzzer reaches the decryption itself.
		for _, s := range []string{sig, Signature("spamtest", ts, nonce, enc)} {
			plain, err := mc.Decrypt(s, ts, nonce, enc)
			if err != nil {
				continue
			}
			re, resig, err := mc.Encrypt(plain, ts, nonce)
			if err != nil {
				t.Fatal(err)
			}
			back, err := mc.Decrypt(resig, ts, nonce, re)
			if err != nil || !bytes.Equal(back, plain) {
				t.Fatalf("re-encrypted message does not round-trip: %v", err)
			}
		}
	})
}

func FuzzParseComponentEvent(f *testing.F) {
	f.Add([]byte(`<xml><AppId>wx1</AppId><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>t</ComponentVerifyTicket></xml>`))
	f.Add([]byte(`<xml><InfoType>authorized</InfoType><AuthorizerAppid>a</AuthorizerAppid><AuthorizationCode>c</AuthorizationCode></xml>`))
	f.Add([]byte(`<xml><InfoType>unauthorized</InfoType><AuthorizerAppid>a</AuthorizerAppid></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseComponentEvent(b)
		if (ev == nil) == (err == nil) {
			t.Fatalf("want exactly one of event and error: %v %v", ev, err)
		}
	})
}

func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(`<xml><AppId><![CDATA[wx1]]></AppId><Encrypt><![CDATA[abc]]></Encrypt></xml>`))
	f.Add([]byte(`<xml><ToUserName>gh</ToUserName><Encrypt>x</Encrypt></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := ParseEnvelope(b)
		if err == nil && env.Encrypt == "" {
			t.Fatal("an envelope without Encrypt was accepted")
		}
	})
}
