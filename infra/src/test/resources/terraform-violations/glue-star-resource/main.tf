# Planted: Glue table actions on Resource "*" (every database and table of the account) instead of
# the catalog, the one database and its tables.
data "aws_iam_policy_document" "publisher" {
  statement {
    sid       = "GlueIcebergTables"
    actions   = ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "publisher" {
  name   = "publisher"
  role   = "tributary-scheduler-task"
  policy = data.aws_iam_policy_document.publisher.json
}
