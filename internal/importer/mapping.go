package importer

import (
	"strings"

	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
)

// Entity names what a file holds.
type Entity string

// The importable entities.
const (
	People        Entity = "people"
	Accounts      Entity = "accounts"
	Contacts      Entity = "contacts"
	Products      Entity = "products"
	Opportunities Entity = "opportunities"
	Activities    Entity = "activities"
	// MarketSizes are imported from the market-share page (or the API),
	// apart from the CRM's full load, so Entities leaves them out.
	MarketSizes Entity = "market_sizes"
)

// Entities lists the importable entities in the order a full load needs them.
func Entities() []Entity {
	return []Entity{People, Products, Accounts, Contacts, Opportunities, Activities}
}

// Fields lists the fields of an entity (nil for an unknown one).
func Fields(e Entity) []string {
	switch e {
	case People:
		return org.PersonFields
	case Accounts:
		return crm.AccountFields
	case Contacts:
		return crm.ContactFields
	case Products:
		return crm.ProductFields
	case Opportunities:
		return crm.OpportunityFields
	case Activities:
		return crm.ActivityFields
	case MarketSizes:
		return market.SizeFields
	}
	return nil
}

// aliases are other headers, in English and Chinese, that mean a field.
var aliases = map[string][]string{
	"external_id":             {"id", "external id", "外部编号", "编号", "opportunity_id", "account_id"},
	"name":                    {"名称", "姓名", "客户名称", "公司名称", "account", "company", "商机名称", "产品名称", "联系人"},
	"email":                   {"e-mail", "mail", "邮箱", "电子邮件"},
	"phone":                   {"tel", "telephone", "电话", "座机"},
	"mobile":                  {"手机", "cell"},
	"role":                    {"角色"},
	"org_unit":                {"unit", "team", "组织", "组织单元", "部门", "团队"},
	"manager_email":           {"manager", "上级邮箱", "上级"},
	"level":                   {"级别", "梯队级别", "echelon"},
	"hire_date":               {"入职日期", "hired"},
	"unit_manager":            {"负责人", "单元负责人"},
	"credit_code":             {"统一社会信用代码", "信用代码", "social credit code", "uscc"},
	"industry":                {"sector", "行业"},
	"segment":                 {"客户类型", "细分市场", "细分"},
	"province":                {"省份", "省", "region"},
	"city":                    {"城市", "市"},
	"address":                 {"地址", "office_location"},
	"size":                    {"规模", "人数", "employees"},
	"source":                  {"来源", "客户来源"},
	"status":                  {"状态"},
	"tags":                    {"标签"},
	"owner_email":             {"owner", "负责人邮箱", "销售邮箱"},
	"account":                 {"客户", "所属客户"},
	"account_external_id":     {"客户编号"},
	"title":                   {"职位", "职务"},
	"wechat":                  {"微信", "微信号", "wechat id"},
	"code":                    {"产品编码", "编码", "sku"},
	"series":                  {"系列", "产品系列"},
	"list_price":              {"price", "sales_price", "价格", "标准价", "目录价"},
	"currency":                {"币种", "货币"},
	"active":                  {"启用", "有效"},
	"amount":                  {"金额", "close_value", "value", "商机金额", "市场规模", "market size"},
	"stage":                   {"阶段", "销售阶段", "deal_stage"},
	"probability":             {"赢率", "概率"},
	"expected_close":          {"预计成交日期", "预计结单日期", "expected close"},
	"closed_on":               {"close_date", "成交日期", "结单日期"},
	"engaged_on":              {"engage_date", "开始日期"},
	"lost_reason":             {"输单原因"},
	"product":                 {"产品"},
	"quantity":                {"数量", "qty"},
	"kind":                    {"类型", "跟进方式", "type"},
	"subject":                 {"主题", "内容", "跟进内容"},
	"at":                      {"时间", "跟进时间", "date", "when"},
	"outcome":                 {"结果", "跟进结果"},
	"next_step":               {"下一步", "下一步计划"},
	"next_step_at":            {"下一步时间", "下次跟进时间"},
	"opportunity_external_id": {"商机编号"},
	"period":                  {"期间", "时期", "周期"},
	"territory":               {"区域", "销售区域", "territory name", "区域名称"},
	"note":                    {"备注", "说明"},
}

// normHeader folds case, spaces and underscores so "Close Date" matches close_date.
func normHeader(h string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(h)))
}

// AutoMap proposes a field for each header of a file: the field itself or
// one of its aliases; unmatched headers map to "". A field is used once.
func AutoMap(e Entity, header []string) map[string]string {
	fields := Fields(e)
	valid := map[string]bool{}
	for _, f := range fields {
		valid[f] = true
	}
	byName := map[string]string{}
	for _, f := range fields {
		byName[normHeader(f)] = f
	}
	for f, names := range aliases {
		if !valid[f] {
			continue
		}
		for _, n := range names {
			if _, taken := byName[normHeader(n)]; !taken {
				byName[normHeader(n)] = f
			}
		}
	}
	used := map[string]bool{}
	out := map[string]string{}
	for _, h := range header {
		f := byName[normHeader(h)]
		if f != "" && !used[f] {
			out[h], used[f] = f, true
		} else {
			out[h] = ""
		}
	}
	return out
}
