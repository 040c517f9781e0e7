// 小程序：登录后上报 openid 和 unionid
// Mini-program: report openid and unionid after login.
//
// unionid 只能由后端用 code 换取（auth.code2Session），前端拿不到 AppSecret。
// Only your backend can exchange the login code (auth.code2Session); the
// AppSecret must never be in the mini-program.
wx.login({
  success({ code }) {
    wx.request({
      url: 'https://api.example.com/wx/login', // 你的后端 / your backend
      method: 'POST',
      data: { code },
      success({ data }) {
        // 后端返回 code2Session 的 openid 和 unionid
        // The backend returns code2Session's openid and unionid.
        // 小程序已绑定开放平台时才有 unionid / unionid exists only when the
        // mini-program is bound to an Open Platform account.
        analytics.identify({ openid: data.openid, unionid: data.unionid || '' })
      }
    })
  }
})
