package classify

import "strings"

// lexicon is the word list of the small Chinese segmenter: words that
// complaints are made of (goods, places, acts, money, time, feelings) and
// the common function words around them. Forward maximum matching over it
// is crude, but a wrong cut only costs a few features: the character
// n-grams are still there. Words are separated by spaces; keep them short
// (2–4 characters) and add any a complaint needs.
const lexiconText = `
商家 卖家 店家 老板 店员 客服 售后 平台 网店 店铺 门店 实体店 专柜 超市 商场 便利店 餐厅 饭店 饭馆 火锅 火锅店 外卖 骑手 快递 物流 快递员
淘宝 天猫 京东 拼多多 美团 饿了么 抖音 快手 小红书 闲鱼 携程 大众点评 唯品会 微信 支付宝 公众号 小程序 二维码 直播间 主播 微商 代购 海淘 跨境
退款 退货 退钱 退费 退卡 退票 退定金 退押金 换货 退换 仅退款 无理由 七天 7天 拒绝 拒收 驳回 签收 运费 运费险 手续费 违约金 定金 订金 押金 预付 预付款 余额 储值 充值 会员卡 年卡 次卡 办卡
质量 问题 质量问题 故障 坏了 损坏 漏水 漏电 异响 噪音 鼓包 开胶 褪色 缩水 掉漆 裂开 断了 失灵 死机 黑屏 花屏 不制冷 不加热 充不进 保修 三包 维修 返修 换新 检测 售后服务 配件 零件
假货 正品 高仿 仿冒 冒牌 山寨 翻新 翻新机 二手 虚假 宣传 广告 夸大 虚标 标价 原价 现价 划线价 打折 折扣 优惠 促销 秒杀 满减 赠品 买一送一 最低价 杀熟 大数据 差价 图片 实物 货不对板 描述不符 成分 标签 纯棉 真丝 桑蚕丝 羊毛 实木 纯银 足金 进口 产地 有机 功效 刷单 好评
食品 食物 食品安全 过期 保质期 生产日期 变质 发霉 霉变 腐烂 发臭 异物 头发 虫子 苍蝇 蟑螂 老鼠 塑料 玻璃 钢丝 石子 中毒 食物中毒 拉肚子 腹泻 呕吐 上吐下泻 过敏 三无 卫生 后厨 地沟油 添加剂 防腐剂 中文标签
健身房 健身 私教 瑜伽 游泳馆 理发店 美容院 美甲 培训 培训班 培训机构 机构 早教 课程 网课 学费 课时 驾校 旅行社 酒店 民宿 机票 门票 演唱会 婚庆 装修 家政 月子中心 跑路 倒闭 关门 停业 联系不上 暴雷 转让 换老板
霸王条款 最低消费 低消 开瓶费 自带酒水 包间费 服务费 茶位费 餐具费 打包费 最终解释权 概不退换 概不退款 自动续费 续费 扣费 默认勾选 捆绑 强制消费 格式条款 合同 条款 小字 罚款 赔偿 十倍
个人信息 隐私 手机号 电话 号码 身份证 人脸 刷脸 人脸识别 指纹 定位 通讯录 相册 权限 授权 注册 登录 登陆 关注 扫码 点餐 点单 菜单 纸质菜单 营销 推销 短信 骚扰 广告短信 泄露 泄漏 注销 删除 账号 会员 实名
工资 加班 加班费 社保 公司 老板 辞退 开除 离职 劳动 劳动合同 房东 房租 租房 押金 物业 邻居 离婚 借钱 天气 推荐 你好 谢谢 请问 怎么 如何 在哪 修改 地址 收货地址 设置
我们 你们 他们 自己 什么 怎么办 为什么 可以 不能 不让 不给 不肯 必须 一定 非要 只能 居然 竟然 结果 但是 而且 已经 还是 一直 根本 没有 不是 就是 这个 那个 今天 昨天 上周 一个月 半年 一年 三天 一周
买了 买的 购买 下单 订单 付款 支付 结账 收到 发货 寄回 寄回去 拆开 拆封 打开 用了 穿了 吃了 吃出 喝出 吃完 喝了 发现 要求 申请 投诉 举报 维权 协商 处理 解决 不管 不理 拉黑
`

var lexicon = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(lexiconText) {
		m[w] = true
	}
	return m
}()

const maxWordRunes = 5

// segment cuts a run of Han characters (and the digit/money marks) into
// words by forward maximum matching over lexicon. Characters that start no
// word stand alone.
func segment(rs []rune, out [][]rune) [][]rune {
	for i := 0; i < len(rs); {
		n := 1
		for k := min(maxWordRunes, len(rs)-i); k >= 2; k-- {
			if lexicon[string(rs[i:i+k])] {
				n = k
				break
			}
		}
		out = append(out, rs[i:i+n])
		i += n
	}
	return out
}
