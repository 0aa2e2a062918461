provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Project = "tributary", ManagedBy = "terraform" }, var.tags)
  }
}

# The MSK cluster exists already; read its IAM bootstrap brokers instead of asking for them.
data "aws_msk_bootstrap_brokers" "this" {
  cluster_arn = var.msk_cluster_arn
}

module "tributary" {
  source = "../../"

  name       = var.name
  vpc_id     = var.vpc_id
  subnet_ids = var.private_subnet_ids

  msk_cluster_arn         = var.msk_cluster_arn
  kafka_bootstrap_brokers = data.aws_msk_bootstrap_brokers.this.bootstrap_brokers_sasl_iam
  msk_security_group_id   = var.msk_security_group_id
  source_topics           = var.source_topics
  dlq_topics              = var.dlq_topics

  bucket_name    = var.bucket_name
  table_prefixes = ["tables/"]

  scheduler_image  = var.scheduler_image
  runner_image     = var.runner_image
  runner_min_count = var.runner_min_count
  runner_max_count = var.runner_max_count

  operator_cidr_blocks   = var.operator_cidr_blocks
  enable_execute_command = var.enable_execute_command

  # The scheduler leader publishes every table as an Iceberg table in this Glue database.
  iceberg_catalog   = "glue"
  iceberg_namespace = var.iceberg_namespace
}

# Athena over the published Iceberg tables: engine version 3 (Iceberg reads), query results in the
# parts bucket under athena-results/ (outside the table prefixes: neither the runners' orphan
# sweeper nor the publisher touch it). The workgroup's settings are enforced, so a client cannot
# redirect results elsewhere.
resource "aws_athena_workgroup" "tributary" {
  name          = var.athena_workgroup_name
  description   = "Queries over the Iceberg tables Tributary publishes to Glue database ${module.tributary.iceberg_namespace}"
  force_destroy = true

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${module.tributary.bucket_name}/athena-results/"

      encryption_configuration {
        encryption_option = "SSE_S3"
      }
    }
  }
}
