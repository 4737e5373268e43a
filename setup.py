"""BASS: business-analysis warehouse for mobile operators (PySpark + Delta Lake)."""
from setuptools import find_packages, setup

setup(
    name="bass",
    version="0.1.0",
    description="Business-analysis warehouse for mobile operators on PySpark + Delta Lake",
    package_dir={"": "lib"},
    packages=find_packages("lib"),
    python_requires=">=3.11",
    # A working set, pinned: Spark 4.2 with Delta 4.4 (its wheel allows pyspark up to 4.2.0; the
    # jars are io.delta:delta-spark_4.2_2.13 in conf/base.yml). Named parameter markers need
    # spark.sql.legacy.parameterSubstitution.constantsOnly (conf/base.yml, delta-io/delta#7640).
    install_requires=[
        "pyspark==4.2.0",
        "delta-spark==4.4.0",
        "pandas>=2.2,<3",
        "pyarrow>=15",
        "pyyaml>=6",
        "mlflow==3.17.2",
        # xgboost's Spark estimator, CPU-only build (the `xgboost` wheel carries 130 MB of CUDA code)
        "xgboost-cpu==3.2.0",
        # a Python client of `bass serve` (HiveServer2 protocol, PLAIN SASL in pure Python)
        "pyhive[hive_pure_sasl]==0.7.0",
    ],
    extras_require={
        # `make test` and `make lint` install these; a production install needs none of them
        "test": [
            "pytest>=8",
            "chispa==0.12.0",
            "networkx>=3.4,<4",   # the network algorithms (bass.marts.network) are checked against it
            "duckdb==2.0.1",      # the bench's DuckDB side is checked on a tiny day
        ],
        # `make bench`: the same work in DuckDB, beside the hand-written Spark job
        "bench": ["duckdb==2.0.1"],
        "lint": ["ruff==0.17.6", "sqlfluff==4.5.0"],
    },
    entry_points={
        "console_scripts": ["bass=bass.cli:main"],
        # MLflow artifacts on Hadoop file systems through Spark's JVM (bass.ml.hadoop_artifacts)
        "mlflow.artifact_repository": [f"{scheme}=bass.ml.hadoop_artifacts:HadoopArtifactRepository"
                                       for scheme in ("hdfs", "viewfs", "s3a")],
    },
)
