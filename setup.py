from setuptools import find_packages, setup

setup(
    name="sales_assets",
    version="0.1.0",
    description="Monthly sales analytics pipeline: Dagster software-defined assets on PySpark.",
    packages=find_packages(exclude=["sales_assets_tests", "sales_assets_tests.*"]),
    python_requires=">=3.11",
    install_requires=[
        # dagster and its libraries move in lockstep: 1.13.27 <-> 0.29.27.
        "dagster==1.13.27",
        "dagster-webserver==1.13.27",
        "dagster-pyspark==0.29.27",
        "dagster-aws==0.29.27",
        # Dagster's own runs, events and schedules in MySQL (deploy/dagster-mysql.yaml).
        "dagster-mysql==0.29.27",
        "pyspark==4.3.0",
        "pyarrow>=15",
        "pandas>=2.2,<3",  # PySpark 4.3 does not support pandas 3 yet
        "numpy>=1.26",
        "sqlalchemy>=2.0",
        "pymysql>=1.1",
        "boto3",
    ],
    extras_require={
        "dev": [
            "pytest>=8",
            "ruff>=0.6",
            "dagster-dg-cli==1.13.27",
            "hypothesis==6.170.17",
            "playwright==1.65.2",
        ]
    },
    entry_points={"console_scripts": ["sales-assets=sales_assets.cli:main"]},
)
