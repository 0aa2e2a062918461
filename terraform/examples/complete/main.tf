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
}
