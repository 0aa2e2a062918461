variable "role_name" {
  description = "Role to attach the policy to."
  type        = string
}

variable "table_arn" {
  description = "Catalog table."
  type        = string
}

resource "aws_iam_role_policy" "catalog" {
  name = "catalog"
  role = var.role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:*"]
      Resource = var.table_arn
    }]
  })
}
