package connclient

import (
	"strconv"
	"strings"
	"testing"

	"oawizard/wechat"
)

// BenchmarkDecodeUserInfos decodes a batchget answer of 100 users shaped as
// the simulator (and WeChat) writes them.
func BenchmarkDecodeUserInfos(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"user_info_list":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		id := strconv.Itoa(1_000_000 + i)
		sb.WriteString(`{"subscribe":1,"openid":"oAbCdEfGhIjKlMnOpQrStU` + id[1:] + `","language":"zh_CN","subscribe_time":1600000000,"unionid":"oZyXwVuTsRqPoNmLkJiHgFe` + id[2:] +
			`","remark":"","groupid":0,"tagid_list":[],"subscribe_scene":"ADD_SCENE_QR_CODE","qr_scene":0,"qr_scene_str":""}`)
	}
	sb.WriteString(`]}`)
	raw := sb.String()
	var buf []wechat.UserInfo
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		users, ok := decodeUserInfos(raw, buf[:0], 100)
		if !ok || len(users) != 100 {
			b.Fatal("declined")
		}
		buf = users
	}
}
