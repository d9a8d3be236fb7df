package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/echelonhq/echelon/internal/crm"
)

// syllable is a Chinese character with its pinyin (for e-mail addresses).
type syllable struct{ zh, py string }

var surnames = []syllable{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"}, {"黄", "huang"},
	{"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"},
	{"胡", "hu"}, {"郭", "guo"}, {"何", "he"}, {"高", "gao"}, {"林", "lin"}, {"罗", "luo"}, {"郑", "zheng"},
	{"梁", "liang"}, {"谢", "xie"}, {"宋", "song"}, {"唐", "tang"}, {"许", "xu"}, {"韩", "han"}, {"冯", "feng"},
	{"邓", "deng"}, {"曹", "cao"}, {"彭", "peng"}, {"曾", "zeng"}, {"萧", "xiao"}, {"田", "tian"}, {"董", "dong"},
	{"潘", "pan"}, {"袁", "yuan"}, {"蔡", "cai"}, {"蒋", "jiang"}, {"余", "yu"}, {"于", "yu"}, {"杜", "du"},
	{"叶", "ye"}, {"程", "cheng"}, {"魏", "wei"}, {"苏", "su"}, {"吕", "lv"}, {"丁", "ding"}, {"任", "ren"},
	{"沈", "shen"}, {"姚", "yao"}, {"卢", "lu"}, {"姜", "jiang"}, {"崔", "cui"}, {"钟", "zhong"}, {"谭", "tan"},
}

var givenChars = []syllable{
	{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"}, {"强", "qiang"},
	{"磊", "lei"}, {"军", "jun"}, {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"娟", "juan"},
	{"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"秀", "xiu"}, {"霞", "xia"}, {"平", "ping"}, {"刚", "gang"},
	{"桂", "gui"}, {"英", "ying"}, {"华", "hua"}, {"建", "jian"}, {"文", "wen"}, {"辉", "hui"}, {"玲", "ling"},
	{"鑫", "xin"}, {"宇", "yu"}, {"浩", "hao"}, {"凯", "kai"}, {"婷", "ting"}, {"雪", "xue"}, {"倩", "qian"},
	{"博", "bo"}, {"晨", "chen"}, {"欣", "xin"}, {"佳", "jia"}, {"思", "si"}, {"梦", "meng"}, {"子", "zi"},
	{"嘉", "jia"}, {"志", "zhi"}, {"海", "hai"}, {"春", "chun"}, {"波", "bo"}, {"斌", "bin"}, {"宁", "ning"},
	{"琳", "lin"}, {"晓", "xiao"}, {"天", "tian"}, {"俊", "jun"}, {"颖", "ying"}, {"慧", "hui"}, {"昊", "hao"},
}

// personName draws a surname and a one- or two-character given name; the
// pinyin is "given.surname".
func personName(r *rand.Rand) (zh, py string) {
	s := surnames[r.IntN(len(surnames))]
	g := givenChars[r.IntN(len(givenChars))]
	zh, gpy := s.zh+g.zh, g.py
	if r.IntN(3) > 0 {
		g2 := givenChars[r.IntN(len(givenChars))]
		zh, gpy = zh+g2.zh, gpy+g2.py
	}
	return zh, gpy + "." + s.py
}

// province is where accounts sit; code is the first two digits of its
// administrative division code (used in credit codes).
type province struct {
	name, code string
	cities     []string
}

// region is a sales region with its provinces.
type region struct {
	name      string
	provinces []province
}

var regions = []region{
	{"华东大区", []province{{"上海", "31", []string{"上海"}}, {"江苏", "32", []string{"南京", "苏州", "无锡"}},
		{"浙江", "33", []string{"杭州", "宁波"}}, {"山东", "37", []string{"济南", "青岛"}}}},
	{"华南大区", []province{{"广东", "44", []string{"广州", "深圳", "东莞", "佛山"}}, {"福建", "35", []string{"福州", "厦门"}},
		{"广西", "45", []string{"南宁"}}}},
	{"华北大区", []province{{"北京", "11", []string{"北京"}}, {"天津", "12", []string{"天津"}},
		{"河北", "13", []string{"石家庄", "唐山"}}, {"山西", "14", []string{"太原"}}}},
	{"西南大区", []province{{"四川", "51", []string{"成都", "绵阳"}}, {"重庆", "50", []string{"重庆"}},
		{"云南", "53", []string{"昆明"}}, {"贵州", "52", []string{"贵阳"}}}},
	{"华中大区", []province{{"湖北", "42", []string{"武汉", "宜昌"}}, {"湖南", "43", []string{"长沙", "株洲"}},
		{"河南", "41", []string{"郑州", "洛阳"}}}},
	{"西北大区", []province{{"陕西", "61", []string{"西安", "宝鸡"}}, {"甘肃", "62", []string{"兰州"}}}},
	{"东北大区", []province{{"辽宁", "21", []string{"沈阳", "大连"}}, {"吉林", "22", []string{"长春"}},
		{"黑龙江", "23", []string{"哈尔滨"}}}},
}

// regionsFor is the sales regions of a company with n of them: the seven
// large regions, or above seven one region per province.
func regionsFor(n int) []region {
	if n <= len(regions) {
		return regions[:n]
	}
	var out []region
	for _, r := range regions {
		for _, p := range r.provinces {
			out = append(out, region{name: p.name + "大区", provinces: []province{p}})
		}
	}
	return out[:min(n, len(out))]
}

// maxRegions is the most regions regionsFor can name.
func maxRegions() int { return len(regionsFor(1 << 10)) }

// teamName is the name of a region's team number i (0-based): 一组 … 九十九组.
func teamName(i int) string {
	const digits = "一二三四五六七八九"
	d := func(k int) string { return string([]rune(digits)[k-1]) }
	n := i + 1
	switch {
	case n < 10:
		return d(n) + "组"
	case n == 10:
		return "十组"
	case n < 20:
		return "十" + d(n-10) + "组"
	case n%10 == 0:
		return d(n/10) + "十组"
	default:
		return d(n/10) + "十" + d(n%10) + "组"
	}
}

// maxTeams is the most teams a region can have a name for.
const maxTeams = 99

// cityPinyin names the cities in English company names.
var cityPinyin = map[string]string{
	"上海": "Shanghai", "南京": "Nanjing", "苏州": "Suzhou", "无锡": "Wuxi", "杭州": "Hangzhou", "宁波": "Ningbo",
	"济南": "Jinan", "青岛": "Qingdao", "广州": "Guangzhou", "深圳": "Shenzhen", "东莞": "Dongguan", "佛山": "Foshan",
	"福州": "Fuzhou", "厦门": "Xiamen", "南宁": "Nanning", "北京": "Beijing", "天津": "Tianjin", "石家庄": "Shijiazhuang",
	"唐山": "Tangshan", "太原": "Taiyuan", "成都": "Chengdu", "绵阳": "Mianyang", "重庆": "Chongqing", "昆明": "Kunming",
	"贵阳": "Guiyang", "武汉": "Wuhan", "宜昌": "Yichang", "长沙": "Changsha", "株洲": "Zhuzhou", "郑州": "Zhengzhou",
	"洛阳": "Luoyang", "西安": "Xi'an", "宝鸡": "Baoji", "兰州": "Lanzhou", "沈阳": "Shenyang", "大连": "Dalian",
	"长春": "Changchun", "哈尔滨": "Harbin",
}

// trade is the industry word in a company name (Chinese and English) and the account's industry.
type trade struct{ word, en, industry string }

var trades = []trade{
	{"科技", "Technology", "信息技术"}, {"软件", "Software", "信息技术"}, {"电子", "Electronics", "电子制造"},
	{"机械", "Machinery", "装备制造"}, {"精密制造", "Precision Manufacturing", "装备制造"}, {"医药", "Pharmaceutical", "医疗健康"},
	{"生物", "Biotech", "医疗健康"}, {"物流", "Logistics", "交通物流"}, {"食品", "Foods", "消费品"}, {"纺织", "Textiles", "消费品"},
	{"商贸", "Trading", "批发零售"}, {"化工", "Chemicals", "化工"}, {"建材", "Building Materials", "建筑建材"},
	{"新能源", "New Energy", "能源"}, {"汽车部件", "Auto Parts", "汽车"},
}

// English brand words of foreign-invested companies, combined in pairs.
var brandEn = []string{"Apex", "Harbor", "Summit", "Bright", "Crest", "Pacific", "Orient", "Vista", "Nova", "Sterling",
	"Lotus", "Golden", "Silver", "Blue", "Evergreen", "Pioneer", "Unity", "Horizon", "Zenith", "Jade", "Cedar", "Falcon", "Meridian", "Atlas"}

var brandFirst = []string{"华", "恒", "远", "鑫", "盛", "瑞", "宏", "嘉", "金", "天", "中", "正", "新", "永", "博", "信", "通", "海", "顺", "百", "东", "凯", "德", "合"}
var brandSecond = []string{"信", "通", "达", "泰", "源", "丰", "成", "创", "锐", "邦", "联", "宇", "昌", "和", "安", "兴", "科", "越", "力", "辰"}

var suffixes = []string{"有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司"}

// company is a generated account name with its parts.
type company struct {
	name, short, industry string
}

// companyName draws 城市 + 字号 + 行业 + 有限公司 (a two- or, one time in
// four, three-character brand), or one time in ten an English name of a
// foreign-invested company ("Apex Harbor Logistics (Suzhou) Co., Ltd."),
// unique by duplicate key among the names in taken.
func companyName(r *rand.Rand, city string, taken map[string]bool) company {
	for {
		t := trades[r.IntN(len(trades))]
		var c company
		if r.IntN(10) == 0 {
			i, j := r.IntN(len(brandEn)), r.IntN(len(brandEn)-1)
			if j >= i {
				j++ // two different words
			}
			brand := brandEn[i] + " " + brandEn[j]
			c = company{name: fmt.Sprintf("%s %s (%s) Co., Ltd.", brand, t.en, cityPinyin[city]), short: brand, industry: t.industry}
		} else {
			brand := brandFirst[r.IntN(len(brandFirst))] + brandSecond[r.IntN(len(brandSecond))]
			if r.IntN(4) == 0 {
				brand += brandSecond[r.IntN(len(brandSecond))]
			}
			c = company{name: city + brand + t.word + suffixes[r.IntN(len(suffixes))], short: brand + t.word, industry: t.industry}
		}
		if k := crm.NameKey(c.name); !taken[k] {
			taken[k] = true
			return c
		}
	}
}

// creditCodeChars are the characters of a unified social credit code.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCode draws a unified social credit code of a company (91…) in the
// province with the code code, with the check character crm.CreditCode
// accepts, unique in taken.
func creditCode(r *rand.Rand, code string, taken map[string]bool) string {
	for {
		var b strings.Builder
		fmt.Fprintf(&b, "91%s%02d%02d", code, 1+r.IntN(2), 1+r.IntN(20))
		for range 9 {
			b.WriteByte(creditCodeChars[r.IntN(len(creditCodeChars))])
		}
		for i := range len(creditCodeChars) {
			s := b.String() + creditCodeChars[i:i+1]
			if _, ok := crm.CreditCode(s); ok && !taken[s] {
				taken[s] = true
				return s
			}
		}
	}
}

var contactTitles = []string{"总经理", "副总经理", "采购经理", "信息中心主任", "财务总监", "IT 经理", "运营总监", "生产经理", "行政主管"}

// mobile draws a mainland mobile number.
func mobile(r *rand.Rand) string {
	return fmt.Sprintf("1%c%09d", "35789"[r.IntN(5)], r.IntN(1_000_000_000))
}

var segments = []string{"大客户", "中型企业", "中型企业", "小微企业", "小微企业"}
var companySizes = map[string][]string{"大客户": {"1000人以上", "500-999人"}, "中型企业": {"200-499人", "100-199人"}, "小微企业": {"20-99人", "20人以下"}}
var sources = []string{"展会", "官网咨询", "客户转介绍", "电话营销", "渠道伙伴", "线上活动"}

// product is a catalogue entry; prices in yuan.
type product struct {
	code, name, series string
	price              int64
}

var products = []product{
	{"ERP-STD", "ERP 标准版", "ERP 套件", 98_000}, {"ERP-ENT", "ERP 企业版", "ERP 套件", 260_000},
	{"ERP-MFG", "ERP 制造扩展包", "ERP 套件", 120_000},
	{"CRM-TEAM", "CRM 云团队版（年）", "CRM 云", 36_000}, {"CRM-PRO", "CRM 云专业版（年）", "CRM 云", 88_000},
	{"BI-DASH", "数据看板", "数据智能", 45_000}, {"BI-LAKE", "数据中台", "数据智能", 380_000},
	{"SEC-AUDIT", "等保合规套件", "安全合规", 150_000}, {"SEC-EDR", "终端安全（百点）", "安全合规", 60_000},
	{"SVC-IMPL", "实施服务（人天）", "实施与培训", 2_500}, {"SVC-TRAIN", "用户培训（场）", "实施与培训", 8_000},
	{"SVC-SUPPORT", "年度维保服务", "实施与培训", 30_000},
}

// implementationDays is the cheapest product, sold by the day.
var implementationDays = products[9]

var dealSuffixes = []string{"采购项目", "升级项目", "扩容", "一期建设", "续约", "试点项目"}
var lostReasons = []string{"价格因素", "选择了竞争对手", "预算取消", "需求延期", "未获得决策层支持", "产品功能不匹配"}

// activityKind is a kind of activity with how often it occurs and what it is about.
type activityKind struct {
	kind     string
	weight   int
	subjects []string
}

var activityKinds = []activityKind{
	{"call", 35, []string{"电话沟通需求", "电话跟进报价", "电话确认会议安排", "回访使用情况"}},
	{"visit", 20, []string{"上门拜访", "现场调研", "拜访决策人"}},
	{"meeting", 15, []string{"方案演示会议", "商务谈判会议", "技术交流会"}},
	{"email", 20, []string{"发送报价单", "发送方案材料", "发送合同草稿"}},
	{"note", 10, []string{"内部备注：竞争情况", "内部备注：预算信息", "内部备注：决策链"}},
}

var outcomes = []string{"", "客户有兴趣，约定下次沟通", "需求已确认", "等待客户内部评估", "客户要求调整报价", "进展顺利"}
var nextSteps = []string{"发送正式报价", "安排产品演示", "约见采购负责人", "提交技术方案", "跟进合同审批"}
