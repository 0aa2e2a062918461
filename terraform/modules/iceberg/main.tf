# Iceberg publication (DESIGN.md, "Iceberg publication"): the scheduler leader commits the Parquet
# parts already in S3 as Iceberg snapshots; table location s3://<bucket>/<prefix>/<table>, Iceberg
# metadata (metadata.json, manifest lists, manifests) under <prefix>/<table>/metadata/.
#
# This module creates the Glue database the tables are registered in (catalog "glue") and the
# least-privilege policy the scheduler's task role needs to publish. Runners never touch Iceberg and
# get none of it.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  create_glue_database = var.catalog == "glue"

  glue_arn_prefix = "arn:${data.aws_partition.current.partition}:glue:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"

  # Objects the publisher reads (Parquet footers of committed parts, for column stats and row counts)
  # and the Iceberg metadata objects it writes, reads and cleans up (expired metadata.json files,
  # manifests of a commit that lost the race). Data parts are never written or deleted here.
  part_object_arns     = [for p in var.table_prefixes : "${var.bucket_arn}/${p}*"]
  metadata_object_arns = [for p in var.table_prefixes : "${var.bucket_arn}/${p}*/metadata/*"]
}

################################################################################
# Glue Data Catalog: the database (= Iceberg namespace) the tables are registered in
################################################################################

resource "aws_glue_catalog_database" "this" {
  count = local.create_glue_database ? 1 : 0

  name        = var.database_name
  description = var.database_description
  catalog_id  = data.aws_caller_identity.current.account_id
  tags        = var.tags
}

################################################################################
# IAM: what the scheduler leader needs to publish (attached to its task role by the caller)
################################################################################

data "aws_iam_policy_document" "publisher" {
  # Register and advance the Iceberg tables in the one Glue database. The database itself is
  # managed here, so no glue:CreateDatabase; tables are never deleted by Tributary, so no
  # glue:DeleteTable; publication is unpartitioned in Glue's sense, so no partition actions.
  dynamic "statement" {
    for_each = local.create_glue_database ? [1] : []

    content {
      sid = "GlueIcebergTables"
      actions = [
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetTables",
        "glue:CreateTable",
        "glue:UpdateTable",
      ]
      resources = [
        "${local.glue_arn_prefix}:catalog",
        "${local.glue_arn_prefix}:database/${aws_glue_catalog_database.this[0].name}",
        "${local.glue_arn_prefix}:table/${aws_glue_catalog_database.this[0].name}/*",
      ]
    }
  }

  statement {
    sid       = "ReadPartFooters"
    actions   = ["s3:GetObject"]
    resources = local.part_object_arns
  }

  statement {
    sid       = "IcebergMetadataObjects"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = local.metadata_object_arns
  }

  statement {
    sid       = "ListTablePrefixes"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [for p in var.table_prefixes : "${p}*"]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn != null ? [1] : []

    content {
      sid       = "PartsAndMetadataEncryption"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }
}
