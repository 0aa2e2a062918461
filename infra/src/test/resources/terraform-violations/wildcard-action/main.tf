variable "bucket_arn" {
  description = "Bucket the role may use."
  type        = string
}

data "aws_iam_policy_document" "runner" {
  statement {
    sid       = "TooBroad"
    actions   = ["*"]
    resources = ["${var.bucket_arn}/tables/*"]
  }
}

output "policy_json" {
  description = "The policy."
  value       = data.aws_iam_policy_document.runner.json
}
