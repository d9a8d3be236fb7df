INSERT INTO levels (code, name_zh, name_en, rank, created_at, updated_at) VALUES
    ('junior_rep', '初级销售代表', 'Junior sales rep', 10, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('mid_rep', '中级销售代表', 'Sales rep', 20, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('senior_rep', '高级销售代表', 'Senior sales rep', 30, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('regional_manager', '区域销售经理', 'Regional sales manager', 40, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('senior_manager', '高级销售经理', 'Senior sales manager', 50, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

INSERT INTO role_statements (role, body_zh, body_en, updated_at) VALUES
    ('admin', '配置组织架构、梯队级别、KPI 模板、提成方案和产品目录；维护系统用户与权限；可查看全部数据。', 'Configures the organisation, echelon levels, KPI templates, commission plans and the product catalogue; maintains users and permissions; sees all data.', CURRENT_TIMESTAMP),
    ('senior_manager', '制定销售战略与年度目标，协调各区域之间的资源与协作，主持绩效校准；对所辖组织的全部业绩负责。', 'Sets the sales strategy and the annual targets, coordinates resources across regions and leads performance calibration; answers for the results of every unit below them.', CURRENT_TIMESTAMP),
    ('regional_manager', '制定并执行区域销售计划，将目标分解到每位销售代表，监督、辅导并评估团队成员，对区域业绩负责。', 'Plans and runs the regional sales plan, splits targets to each rep, supervises, coaches and reviews the team, and answers for the region''s results.', CURRENT_TIMESTAMP),
    ('rep', '开发新客户、维护客户关系、推进商机并完成个人销售目标；及时记录客户跟进与工作报告。', 'Develops new customers, maintains customer relationships, moves opportunities forward and reaches the personal sales target; records follow-ups and work reports on time.', CURRENT_TIMESTAMP),
    ('marketing', '响应销售团队提出的市场支持请求，提供市场活动、线索与竞品资料。', 'Answers the sales team''s requests for marketing support: campaigns, leads and competitive material.', CURRENT_TIMESTAMP),
    ('product', '响应销售团队提出的产品咨询与需求，提供产品资料与技术支持。', 'Answers the sales team''s product questions and requests with product material and technical support.', CURRENT_TIMESTAMP),
    ('customer_service', '响应销售团队转交的客户服务请求，跟进售后问题并反馈客户满意度。', 'Answers customer-service requests passed on by the sales team, follows up after-sales issues and reports on customer satisfaction.', CURRENT_TIMESTAMP);

INSERT INTO org_units (parent_id, kind, name, path, created_at, updated_at)
    VALUES (NULL, 'company', '公司 Company', '/1/', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
