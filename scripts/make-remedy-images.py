#!/usr/bin/python3
"""Draws the 'where to click' pictures the badges show next to a remedy:
a sketch of the WeChat back office with the path to click highlighted.
Writes assets/images/src/*.svg and, through rsvg-convert, assets/images/*.png.
Run by hand (needs librsvg2-bin and fonts-droid-fallback); the output is committed."""
import subprocess, html

FONT = "Droid Sans Fallback"
GREEN = "#07a85a"

def sketch(name, site, menu, path, note):
    w, h = 640, 360
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}">',
           f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
           f'<rect x="10" y="10" width="{w-20}" height="{h-20}" rx="8" fill="#f6f7f9" stroke="#c9ccd1"/>',
           f'<rect x="10" y="10" width="{w-20}" height="36" rx="8" fill="#e8eaed"/>',
           f'<circle cx="30" cy="28" r="6" fill="#f25f58"/><circle cx="48" cy="28" r="6" fill="#fbbe2e"/><circle cx="66" cy="28" r="6" fill="#3ec93e"/>',
           f'<rect x="90" y="18" width="300" height="20" rx="10" fill="#ffffff"/>',
           f'<text x="104" y="33" font-size="13" fill="#333">{html.escape(site)}</text>',
           f'<rect x="10" y="46" width="170" height="{h-56}" fill="#ffffff" stroke="#e3e5e8"/>']
    y = 76
    for item in menu:
        on = item in path
        if on:
            out.append(f'<rect x="14" y="{y-17}" width="162" height="26" rx="4" fill="{GREEN}"/>')
        color = "#ffffff" if on else "#444444"
        indent = 36 if item.startswith("  ") else 24
        out.append(f'<text x="{indent}" y="{y}" font-size="14" fill="{color}">{html.escape(item.strip())}</text>')
        y += 32
    # The path spelled out, and what to do there.
    out.append(f'<text x="200" y="90" font-size="15" fill="#222">点击路径 / Click path</text>')
    ty = 124
    for i, step in enumerate(path):
        out.append(f'<rect x="200" y="{ty-20}" width="26" height="26" rx="13" fill="{GREEN}"/>')
        out.append(f'<text x="208" y="{ty-2}" font-size="14" fill="#ffffff">{i+1}</text>')
        out.append(f'<text x="236" y="{ty-2}" font-size="15" fill="#222">{html.escape(step.strip())}</text>')
        ty += 38
    for j, line in enumerate(note):
        out.append(f'<text x="200" y="{ty+20+j*22}" font-size="13" fill="#9a5b00">{html.escape(line)}</text>')
    out.append('</svg>')
    src = f"assets/images/src/{name}.svg"
    open(src, "w", encoding="utf-8").write("\n".join(out))
    subprocess.run(["rsvg-convert", "-o", f"assets/images/{name}.png", src], check=True)

sketch("verify", "mp.weixin.qq.com", ["首页", "内容与互动", "数据", "广告与服务", "设置与开发", "  账号设置", "  微信认证", "  基本配置"],
       ["设置与开发", "  微信认证"], ["认证通过后回到向导点“检查”。", "Then press Check in the wizard."])
sketch("principal", "mp.weixin.qq.com", ["首页", "管理", "设置", "  基本设置", "  第三方设置", "开发"],
       ["设置", "  基本设置"], ["在“主体信息”中核对公司全称，", "与公众号的主体比较。"])
sketch("bind", "open.weixin.qq.com", ["管理中心", "  移动应用", "  网站应用", "  公众号", "  小程序", "账号中心"],
       ["管理中心", "  公众号"], ["点“绑定公众号”（小程序同理），", "管理员扫码确认。", "Bind, then the admin confirms by scan."])
sketch("appid", "mp.weixin.qq.com", ["首页", "设置与开发", "  账号设置", "  基本配置", "  接口权限"],
       ["设置与开发", "  基本配置"], ["复制“开发者ID(AppID)”，以 wx 开头。", "Copy the AppID (starts with wx)."])
print("ok")
