"""The small built-in word lists and the weights the sample data is drawn from.

Plain tuples so that the draws index them by position: changing an entry or its position
changes every generated file of a seed.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Aarav", "Aditi", "Akash", "Ananya", "Arjun", "Bhavna", "Chetan", "Deepa", "Divya",
    "Farhan", "Gaurav", "Harini", "Imran", "Ishaan", "Jaya", "Karan", "Kavya", "Lakshmi",
    "Manish", "Meera", "Mohit", "Neha", "Nikhil", "Pooja", "Pranav", "Priya", "Rahul",
    "Ritu", "Rohan", "Sanjay", "Sara", "Shreya", "Siddharth", "Sneha", "Suresh", "Tanvi",
    "Varun", "Vikram", "Yash", "Zoya",
)  # fmt: skip
LAST_NAMES = (
    "Agarwal", "Banerjee", "Bhat", "Chopra", "Das", "Desai", "Fernandes", "Ghosh", "Gupta",
    "Iyer", "Jain", "Joshi", "Kapoor", "Khan", "Kulkarni", "Kumar", "Mehta", "Menon",
    "Mishra", "Nair", "Patel", "Pillai", "Rao", "Reddy", "Saxena", "Sharma", "Shetty",
    "Singh", "Sinha", "Thomas", "Verma", "Yadav",
)  # fmt: skip
STREETS = (
    "MG", "Station", "Temple", "Lake View", "Park", "Church", "Market", "Gandhi", "Nehru",
    "Residency", "Brigade", "Hill", "Canal", "Mill", "College",
)  # fmt: skip
STREET_KINDS = ("Road", "Street", "Lane", "Cross", "Main Road", "Nagar", "Marg")
# City and the first three digits of its pincodes.
CITIES = (
    ("Bengaluru", 560), ("Mumbai", 400), ("Delhi", 110), ("Chennai", 600),
    ("Hyderabad", 500), ("Pune", 411), ("Kolkata", 700), ("Ahmedabad", 380),
    ("Jaipur", 302), ("Kochi", 682), ("Lucknow", 226), ("Indore", 452),
)  # fmt: skip
BRANDS = (
    "Annapurna Fields", "Blue Lotus", "Coastal Harvest", "Daily Basket", "Everfresh",
    "Golden Grain", "Green Valley", "Himgiri", "Kesar Kitchen", "Morning Dew",
    "Nature's Nest", "Silver Oak", "Sunrise", "Urban Pantry", "Vasant",
)  # fmt: skip
# Item, pack sizes (smallest first) and a typical price in rupees of the smallest pack.
ITEMS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Basmati Rice", ("1kg", "5kg"), 140), ("Toor Dal", ("500g", "1kg"), 95),
    ("Whole Wheat Atta", ("5kg", "10kg"), 260), ("Sunflower Oil", ("1L", "5L"), 160),
    ("Green Tea", ("25 bags", "100 bags"), 180), ("Filter Coffee", ("200g", "500g"), 220),
    ("Almonds", ("250g", "500g"), 310), ("Cashews", ("250g", "500g"), 340),
    ("Honey", ("250g", "500g"), 190), ("Ghee", ("500ml", "1L"), 330),
    ("Paneer", ("200g", "500g"), 90), ("Butter", ("100g", "500g"), 58),
    ("Curd", ("400g", "1kg"), 45), ("Milk", ("500ml", "1L"), 28),
    ("Bread", ("400g", "800g"), 40), ("Biscuits", ("200g", "600g"), 35),
    ("Potato Chips", ("52g", "150g"), 20), ("Mango Pickle", ("300g", "1kg"), 120),
    ("Masala Chai", ("250g", "500g"), 150), ("Detergent Powder", ("1kg", "4kg"), 120),
    ("Dishwash Liquid", ("500ml", "1L"), 99), ("Toothpaste", ("100g", "200g"), 55),
    ("Shampoo", ("180ml", "650ml"), 160), ("Bath Soap", ("4x100g", "8x100g"), 140),
    ("Hand Wash", ("200ml", "750ml"), 85), ("Floor Cleaner", ("1L", "2L"), 110),
    ("Jaggery", ("500g", "1kg"), 70), ("Poha", ("500g", "1kg"), 45),
    ("Oats", ("500g", "1kg"), 120), ("Cornflakes", ("475g", "875g"), 180),
    ("Tomato Ketchup", ("500g", "1kg"), 110), ("Instant Noodles", ("4-pack", "12-pack"), 56),
    ("Dark Chocolate", ("55g", "150g"), 90), ("Peanut Butter", ("350g", "1kg"), 210),
    ("Sugar", ("1kg", "5kg"), 48), ("Salt", ("1kg", "2kg"), 28),
    ("Turmeric Powder", ("100g", "500g"), 40), ("Garam Masala", ("100g", "200g"), 75),
    ("Coconut Oil", ("500ml", "1L"), 170), ("Rose Water", ("250ml", "500ml"), 60),
)  # fmt: skip
REVIEWS = (
    "Friendly staff and quick billing.", "Parking is hard to find on weekends.",
    "Good stock of fresh vegetables.", "Long queues at the counter in the evening.",
    "Clean aisles and a helpful manager.", "Prices a little higher than nearby shops.",
    "Home delivery was on time.", "Often runs out of dairy by noon.",
)  # fmt: skip
PAYMENT_MODES = ("UPI", "Card", "Cash", "Net Banking", "Wallet", "")  # "" is a NULL extra
PAYMENT_WEIGHTS = (0.42, 0.27, 0.2, 0.04, 0.04, 0.03)
MAX_QUANTITY = 10
QUANTITY_WEIGHTS = (0.34, 0.24, 0.14, 0.09, 0.06, 0.04, 0.03, 0.02, 0.02, 0.02)  # 1..10
